using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// Writes an assembled outbound listener as Istio's buildListenerFromEntry does: chains in order, a match-all chain
/// moved to <c>default_filter_chain</c> when other chains match something (a lone match-all chain stays the only
/// chain), and otherwise a <c>PassthroughFilterChain</c> default that sends what no chain matches where the outbound
/// traffic policy says. Inspectors are added only when a chain needs them.
/// </summary>
internal static class OutboundListenerWriter
{
    public const string UnixPrefix = "unix://";

    public static Listener Write(OutboundListenerEntry entry, MeshConfig mesh, OutboundPolicy policy)
    {
        var name = ResourceNames.Listener(entry.Bind, entry.Port.Number);
        var listener = new Listener
        {
            Name = name,
            Address = Address(entry.Bind, entry.Port.Number),
            TrafficDirection = TrafficDirection.Outbound,
            ContinueOnListenerFiltersTimeout = true,
            BindToPort = entry.BindToPort,
        };

        var needTls = entry.Chains.Any(c => c.SniHosts.Count > 0 || c.TlsContext?.CommonTlsContext?.AlpnProtocols.Count > 0);
        var needHttp = entry.Chains.Any(c => c.ApplicationProtocols.Count > 0);
        if (needTls)
        {
            listener.ListenerFilters.Add(ListenerFilters.TlsInspector());
        }

        if (needHttp)
        {
            listener.ListenerFilters.Add(ListenerFilters.HttpInspector());
        }

        // Only protocol detection waits on the client; without it there is nothing to time out.
        listener.ListenerFiltersTimeout = Envoy.Duration(needHttp ? mesh.ProtocolDetectionTimeout : TimeSpan.Zero);

        FilterChain? defaultChain = null;
        foreach (var options in entry.Chains)
        {
            var chain = FilterChains.Write(options, ResourceNames.DelimitedStatPrefix(ResourceNames.StatPrefix(Direction.Outbound, name)));
            if (options.IsMatchAll)
            {
                defaultChain = chain;
            }
            else
            {
                chain.FilterChainMatch = options.ToMatch();
                listener.FilterChains.Add(chain);
            }
        }

        if (defaultChain is not null && listener.FilterChains.Count == 0)
        {
            listener.FilterChains.Add(defaultChain);
        }
        else
        {
            listener.DefaultFilterChain = defaultChain ?? new FilterChain
            {
                Name = ResourceNames.PassthroughFilterChain,
                FilterChainMatch = new FilterChainMatch(),
                Filters = { TcpProxies.ToCluster(policy.CatchAllCluster) },
            };
        }

        return listener;
    }

    /// <summary>A listener address: <c>unix://PATH</c> is a pipe, anything else an IP and port.</summary>
    public static Address Address(string bind, int port) =>
        bind.StartsWith(UnixPrefix, StringComparison.Ordinal) ? Envoy.UnixAddress(bind[UnixPrefix.Length..]) : Envoy.SocketAddress(bind, port);
}
