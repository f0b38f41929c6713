using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// The listener filters of an inbound listener, derived from its chains as Istio's populateListenerFilters does:
/// original_dst on the virtual listener (and original_src under TPROXY interception), then tls_inspector and http_inspector switched on only for the destination
/// ports whose chains match TLS or plaintext HTTP ALPN (port 0 stands for the passthrough chains).
/// </summary>
internal static class InboundInspectors
{
    public static IEnumerable<ListenerFilter> For(IReadOnlyList<FilterChain> chains, bool bindToPort, bool tproxy)
    {
        if (!bindToPort)
        {
            yield return ListenerFilters.OriginalDestination();
            if (tproxy)
            {
                // The workload sees its callers' own addresses rather than the proxy's.
                yield return ListenerFilters.OriginalSource();
            }
        }

        var needs = new SortedDictionary<int, (bool Tls, bool Http)>();
        foreach (var chain in chains)
        {
            var port = (int)(chain.FilterChainMatch?.DestinationPort ?? 0);
            var tls = chain.FilterChainMatch?.TransportProtocol == ChainOptions.Tls;
            var http = chain.FilterChainMatch?.ApplicationProtocols.Any(p => p is "http/1.1" or "h2c") == true;
            var current = needs.GetValueOrDefault(port);
            needs[port] = (current.Tls || tls, current.Http || http);
        }

        if (needs.Values.Any(n => n.Tls))
        {
            yield return Tls(needs);
        }

        // After the TLS inspector: once a connection is known to be TLS, the HTTP inspector leaves it alone.
        if (needs.Values.Any(n => n.Http))
        {
            var off = needs.Where(n => !n.Value.Http).Select(n => n.Key).ToArray();
            yield return ListenerFilters.HttpInspector(off.Length == 0 ? null : ListenerFilters.OnPorts(off));
        }
    }

    /// <summary>
    /// When the passthrough chains need TLS detection it runs everywhere except the ports that do not; otherwise only
    /// on the ports that do.
    /// </summary>
    private static ListenerFilter Tls(SortedDictionary<int, (bool Tls, bool Http)> needs)
    {
        var everywhere = needs.GetValueOrDefault(0).Tls;
        var ports = needs.Where(n => n.Key != 0 && n.Value.Tls != everywhere).Select(n => n.Key).ToArray();
        if (ports.Length == 0)
        {
            return ListenerFilters.TlsInspector();
        }

        return ListenerFilters.TlsInspector(everywhere ? ListenerFilters.OnPorts(ports) : ListenerFilters.OffPorts(ports));
    }
}
