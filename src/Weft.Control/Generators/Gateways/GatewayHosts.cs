using Weft.Control.Model;

namespace Weft.Control.Generators.Gateways;

/// <summary>How a gateway server's hosts meet VirtualService hosts.</summary>
internal static class GatewayHosts
{
    /// <summary>
    /// The server hosts a VirtualService in <paramref name="ns"/> may use: plain hosts, and <c>NS/host</c> entries of
    /// that namespace (or <c>*</c>), without the namespace.
    /// </summary>
    public static IReadOnlyList<string> ForNamespace(IReadOnlyList<string> serverHosts, string ns)
    {
        var result = new List<string>();
        foreach (var host in serverHosts)
        {
            var slash = host.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                result.Add(host);
            }
            else if (host[..slash] is var hostNs && (hostNs == ns || hostNs == "*"))
            {
                result.Add(host[(slash + 1)..]);
            }
        }

        return result;
    }

    /// <summary>
    /// The hosts both sides cover, each the narrower of a matching pair (server <c>*.example.com</c> and VirtualService
    /// <c>a.example.com</c> give <c>a.example.com</c>), in server order, without repeats.
    /// </summary>
    public static IReadOnlyList<string> Intersection(IReadOnlyList<string> serverHosts, IReadOnlyList<string> virtualServiceHosts)
    {
        var result = new List<string>();
        foreach (var server in serverHosts)
        {
            foreach (var vs in virtualServiceHosts)
            {
                var narrower = Hosts.Matches(vs, server) ? server : Hosts.Matches(server, vs) ? vs : null;
                if (narrower is not null && !result.Contains(narrower, StringComparer.OrdinalIgnoreCase))
                {
                    result.Add(narrower);
                }
            }
        }

        return result;
    }
}
