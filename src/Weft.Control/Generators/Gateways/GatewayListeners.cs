using Weft.Control.Generators.Authorization;
using Weft.Control.Generators.Listeners;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Generators.Gateways;

/// <summary>
/// The listeners of a gateway (<c>router~…</c> node), as Istio's buildGatewayListeners writes them: one real listener
/// <c>BIND_PORT</c> (bind 0.0.0.0 unless the server names one) per port of the Gateways that select the proxy, with the
/// chains of each server on it. A port whose servers produce no chain (a TCP server no VirtualService routes) gets no
/// listener; tls_inspector is added when a chain matches SNI or terminates TLS.
/// </summary>
internal static class GatewayListeners
{
    public static IEnumerable<Listener> Build(ProxyNode proxy, PushContext push)
    {
        var merged = MergedGateway.For(proxy, push);
        var wildcard = ProxyAddresses.For(proxy).Wildcard;
        var chainsByListener = new Dictionary<string, (string Bind, int Port, List<ChainOptions> Chains)>(StringComparer.Ordinal);
        var order = new List<string>();
        var sniHostsByPort = new Dictionary<int, Dictionary<string, string>>();
        var authorization = AuthorizationFilters.For(proxy, push);
        var headers = ProxyHeaderSettings.For(proxy, push.Mesh);
        foreach (var port in merged.Ports)
        {
            var servers = merged.Servers(port);
            if (servers.Count == 0)
            {
                continue;
            }

            var bind = port.Bind.Length > 0 ? port.Bind : wildcard;
            var name = ResourceNames.Listener(bind, port.Number);
            var sniHosts = sniHostsByPort.TryGetValue(port.Number, out var known) ? known : sniHostsByPort[port.Number] = new Dictionary<string, string>(StringComparer.Ordinal);
            var chains = new List<ChainOptions>();
            if (Protocols.Parse(port.Protocol).IsHttp())
            {
                chains.AddRange(GatewayChains.Http(servers[0], headers).Select(c => Authorized(c, authorization)));
            }
            else
            {
                foreach (var server in servers)
                {
                    chains.AddRange((server.IsHttpsTermination ? GatewayChains.Https(server, headers) : GatewayChains.Tcp(proxy, push, server, sniHosts)).Select(c => Authorized(c, authorization)));
                }
            }

            if (chainsByListener.TryGetValue(name, out var existing))
            {
                existing.Chains.AddRange(chains);
            }
            else
            {
                chainsByListener[name] = (bind, port.Number, chains);
                order.Add(name);
            }
        }

        foreach (var name in order)
        {
            var (bind, port, chains) = chainsByListener[name];
            if (chains.Count > 0)
            {
                yield return Write(name, bind, port, chains);
            }
        }
    }

    /// <summary>
    /// A chain with the gateway's authorization filters, as Istio puts them on gateways too: before fault, CORS and the
    /// router in a connection manager, before the network filters of a TCP chain; after the metadata exchange in both,
    /// which Istio keeps first so that authorization can read the peer's metadata.
    /// </summary>
    private static ChainOptions Authorized(ChainOptions chain, AuthorizationFilters authorization)
    {
        if (ReferenceEquals(authorization, AuthorizationFilters.None))
        {
            return chain;
        }

        if (chain.Http is { } manager)
        {
            var own = manager.HttpFilters.ToArray();
            var kept = BeforeAuthorization(own.Select(f => f.Name));
            manager.HttpFilters.Clear();
            manager.HttpFilters.AddRange(own[..kept]);
            manager.HttpFilters.AddRange(authorization.Http);
            manager.HttpFilters.AddRange(own[kept..]);
            return chain;
        }

        var filters = chain.NetworkFilters;
        var ahead = BeforeAuthorization(filters.Select(f => f.Name));
        return chain with { NetworkFilters = [.. filters.Take(ahead), .. authorization.Tcp, .. filters.Skip(ahead)] };
    }

    /// <summary>How many leading filters stay ahead of authorization: the metadata exchange, when it comes first.</summary>
    private static int BeforeAuthorization(IEnumerable<string> names) => names.FirstOrDefault() == MetadataExchangeFilters.FilterName ? 1 : 0;

    private static Listener Write(string name, string bind, int port, List<ChainOptions> chains)
    {
        var listener = new Listener
        {
            Name = name,
            Address = OutboundListenerWriter.Address(bind, port),
            TrafficDirection = TrafficDirection.Outbound,
            BindToPort = true,
        };
        if (chains.Any(c => c.SniHosts.Count > 0 || c.TlsContext?.CommonTlsContext?.AlpnProtocols.Count > 0))
        {
            listener.ListenerFilters.Add(ListenerFilters.TlsInspector());
        }

        var statPrefix = ResourceNames.DelimitedStatPrefix(ResourceNames.StatPrefix(Direction.Outbound, name));
        foreach (var options in chains)
        {
            var chain = FilterChains.Write(options, statPrefix);
            chain.FilterChainMatch = options.ToMatch();
            listener.FilterChains.Add(chain);
        }

        return listener;
    }
}
