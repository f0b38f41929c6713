using Weft.Api.Model.Networking;
using Weft.Control.Registry;
using Weft.Xds;

namespace Weft.Control.Generators.Routes;

/// <summary>The cluster a route destination (or mirror) sends to.</summary>
internal static class DestinationClusters
{
    /// <summary>Istio's name for a destination without a host (only reachable without validation).</summary>
    public const string UnknownService = "UnknownService";

    /// <summary>The destination's host completed to an FQDN in the VirtualService's namespace.</summary>
    public static string Host(Destination? destination, string vsNamespace) =>
        string.IsNullOrEmpty(destination?.Host) ? string.Empty : Model.Hosts.Resolve(destination.Host, vsNamespace);

    /// <summary>The service the proxy knows under that host, if any.</summary>
    public static MeshService? Service(RouteContext context, string host) =>
        host.Length == 0 ? null : context.Push.Service(host, context.Proxy.Namespace);

    /// <summary>
    /// <c>outbound|PORT|SUBSET|HOST</c>, where the port is the destination's own, else the service's only port, else the
    /// port of the listener the request came in on. A host outside the registry still gets a cluster name: that
    /// traffic fails (no such cluster) rather than being rerouted.
    /// </summary>
    public static string Name(RouteContext context, Destination? destination, string host, MeshService? service)
    {
        if (destination is null || host.Length == 0)
        {
            return UnknownService;
        }

        var port = destination.Port?.Number is { } explicitPort ? (int)explicitPort
            : service?.Ports.Count == 1 ? service.Ports[0].Number
            : context.ListenerPort;
        return ResourceNames.OutboundCluster(port, host, destination.Subset ?? string.Empty);
    }
}
