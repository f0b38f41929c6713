using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>Turns assembled chain options into an Envoy filter chain (without its match, which callers decide).</summary>
internal static class FilterChains
{
    public const string TlsTransportSocket = "envoy.transport_sockets.tls";

    /// <summary>
    /// The chain's filters: its network filters, then for an HTTP chain the connection manager, given
    /// <paramref name="defaultStatPrefix"/> when it has none of its own.
    /// </summary>
    public static FilterChain Write(ChainOptions options, string defaultStatPrefix)
    {
        var chain = new FilterChain { Name = options.Name, Metadata = options.Metadata };
        if (options.TlsContext is { } tls)
        {
            chain.TransportSocket = Envoy.TransportSocket(TlsTransportSocket, tls);
        }

        chain.Filters.AddRange(options.NetworkFilters);
        if (options.Http is { } http)
        {
            var manager = http.Clone();
            if (manager.StatPrefix.Length == 0)
            {
                manager.StatPrefix = defaultStatPrefix;
            }

            chain.Filters.Add(Envoy.NetworkFilter(ConnectionManagers.Name, manager));
        }

        return chain;
    }
}
