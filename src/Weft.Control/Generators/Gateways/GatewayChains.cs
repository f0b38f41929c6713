using Weft.Api.Model.Networking;
using Weft.Control.Generators.Listeners;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Generators.Gateways;

/// <summary>
/// The filter chains of one gateway server (Istio's buildGatewayTCPBasedFilterChains): an HTTP server reads its
/// routes by RDS; an HTTPS server that terminates TLS does too, behind its certificate and an SNI match on its hosts;
/// an opaque TCP server (or TLS terminated to TCP) forwards by the first matching <c>tcp</c> route of a bound
/// VirtualService, behind Istio's metadata exchange when the TLS is ISTIO_MUTUAL (the client is a mesh proxy, which
/// offers the exchange); a PASSTHROUGH server gets one chain per matching <c>tls</c> route, by SNI.
/// </summary>
internal static class GatewayChains
{
    public static IReadOnlyList<ChainOptions> Http(GatewayServer server, ProxyHeaders headers) =>
        [new ChainOptions { Http = GatewayConnectionManager.Build(server.RouteName, string.Empty, headers) }];

    public static IReadOnlyList<ChainOptions> Https(GatewayServer server, ProxyHeaders headers) =>
    [
        new ChainOptions
        {
            SniHosts = server.SniHosts,
            TlsContext = GatewayTlsContexts.For(server.Server.Tls!, tcpServer: false),
            Http = GatewayConnectionManager.Build(server.RouteName, server.Server.Name ?? string.Empty, headers),
        },
    ];

    public static IReadOnlyList<ChainOptions> Tcp(ProxyNode proxy, PushContext push, GatewayServer server, Dictionary<string, string> sniHostsOnPort)
    {
        if (server.Server.Tls is null)
        {
            return TcpRouteFilter(proxy, push, server) is { } filter ? [new ChainOptions { NetworkFilters = [filter] }] : [];
        }

        if (!server.IsPassthrough)
        {
            if (TcpRouteFilter(proxy, push, server) is not { } terminated)
            {
                return [];
            }

            IReadOnlyList<Filter> filters = server.TlsMode == "ISTIO_MUTUAL" ? [InboundFilters.MetadataExchange(), terminated] : [terminated];
            return [new ChainOptions { SniHosts = server.SniHosts, TlsContext = GatewayTlsContexts.For(server.Server.Tls, tcpServer: true), NetworkFilters = filters }];
        }

        // AUTO_PASSTHROUGH routes by SNI-DNAT cluster names (outbound_.PORT_.SUBSET_.HOST), which are not built here.
        return server.TlsMode == "AUTO_PASSTHROUGH" ? [] : TlsRoutes(proxy, push, server, sniHostsOnPort);
    }

    private static Filter? TcpRouteFilter(ProxyNode proxy, PushContext push, GatewayServer server)
    {
        foreach (var vs in BoundVirtualServices(proxy, push, server))
        {
            foreach (var tcp in vs.Spec.Tcp ?? [])
            {
                if (tcp.Route is { Count: > 0 } routes && ((tcp.Match ?? []).Count == 0 || tcp.Match!.Any(m => Applies(m.Port, m.Gateways, vs, server))))
                {
                    return TcpProxies.ForRoute(proxy, push, vs, routes, server.Port);
                }
            }
        }

        return null;
    }

    private static List<ChainOptions> TlsRoutes(ProxyNode proxy, PushContext push, GatewayServer server, Dictionary<string, string> sniHostsOnPort)
    {
        var chains = new List<ChainOptions>();
        foreach (var vs in BoundVirtualServices(proxy, push, server))
        {
            foreach (var tls in vs.Spec.Tls ?? [])
            {
                if (tls.Route is not { Count: > 0 } routes)
                {
                    continue;
                }

                foreach (var match in tls.Match ?? [])
                {
                    if (!Applies(match.Port, match.Gateways, vs, server))
                    {
                        continue;
                    }

                    // Two chains with the same SNI on one listener would be rejected by Envoy: the first route keeps it.
                    var sni = match.SniHosts ?? [];
                    if (sni.Any(h => sniHostsOnPort.TryGetValue(h, out var bind) && bind == server.Bind))
                    {
                        continue;
                    }

                    foreach (var host in sni)
                    {
                        sniHostsOnPort[host] = server.Bind;
                    }

                    chains.Add(new ChainOptions { SniHosts = sni, NetworkFilters = [TcpProxies.ForRoute(proxy, push, vs, routes, server.Port)] });
                }
            }
        }

        return chains;
    }

    /// <summary>VirtualServices bound to the server's Gateway with a host the server exposes (honouring <c>NS/host</c>).</summary>
    private static IEnumerable<VirtualServiceView> BoundVirtualServices(ProxyNode proxy, PushContext push, GatewayServer server) =>
        push.VirtualServices.For(server.GatewayName, proxy.Namespace, push.Mesh)
            .Where(vs => GatewayHosts.ForNamespace(server.Hosts, vs.Namespace).Any(h => vs.Hosts.Any(v => Hosts.Intersect(h, v))));

    /// <summary>Istio's l4 match at a gateway: the server port, and the Gateway among the match's gateways if it names any.</summary>
    private static bool Applies(long? port, IReadOnlyList<string>? gateways, VirtualServiceView vs, GatewayServer server) =>
        (port is null or 0 || port == server.Port)
        && (gateways is not { Count: > 0 } || gateways.Any(g => GatewayNames.Resolve(g, vs.Namespace) == server.GatewayName));
}
