using System.Net;
using Weft.Api.Model.Networking;
using Weft.Control.Model;

namespace Weft.Control.Push;

/// <summary>
/// Completes the names inside an HTTP route in the namespace of the VirtualService that wrote it: destination and
/// mirror hosts become FQDNs, match-level gateways <c>NAMESPACE/NAME</c>. This must happen before delegate routes are
/// merged into a root in another namespace, or a delegate's short names would be read in the root's namespace.
/// </summary>
internal static class VirtualServiceShortNames
{
    public static HTTPRoute Resolve(HTTPRoute route, string ns) => route with
    {
        Match = route.Match?.Select(m => m is null ? m! : Resolve(m, ns)).ToArray(),
        Route = route.Route?.Select(d => d is null ? d! : d with { Destination = Resolve(d.Destination, ns) }).ToArray(),
        Mirror = Resolve(route.Mirror, ns),
        Mirrors = route.Mirrors?.Select(m => m is null ? m! : m with { Destination = Resolve(m.Destination, ns) }).ToArray(),
    };

    private static HTTPMatchRequest Resolve(HTTPMatchRequest match, string ns) => match.Gateways is { Count: > 0 } gateways
        ? match with { Gateways = gateways.Select(g => GatewayNames.Resolve(g, ns)).ToArray() }
        : match;

    /// <summary>An IP address is a complete host already, even an IPv6 one without a dot.</summary>
    private static Destination? Resolve(Destination? destination, string ns) =>
        string.IsNullOrEmpty(destination?.Host) || IPAddress.TryParse(destination.Host, out _)
            ? destination
            : destination with { Host = Hosts.Resolve(destination.Host, ns) };
}
