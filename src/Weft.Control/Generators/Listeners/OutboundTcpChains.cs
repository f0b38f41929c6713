using Weft.Api.Model.Networking;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// The opaque chains of a sidecar's outbound listener for one service port, from the <c>tls</c> routes (TLS and HTTPS
/// ports: one chain per distinct SNI/subnet match) or the <c>tcp</c> routes (other ports: subnet-matched chains, then
/// the first match-all route ends the list) of the VirtualServices for the service, as Istio's
/// buildSidecarOutboundTLSFilterChainOpts / buildSidecarOutboundTCPFilterChainOpts do. Without a route that applies, the
/// chain goes to the service's own cluster.
/// </summary>
internal static class OutboundTcpChains
{
    /// <summary>Chains for <paramref name="target"/>; <paramref name="listenAddress"/> is the service address the listener serves.</summary>
    public static IReadOnlyList<ChainOptions> Build(ProxyNode proxy, PushContext push, OutboundTarget target, string listenAddress,
        string wildcard, IReadOnlyList<VirtualServiceView> virtualServices)
    {
        var forHost = virtualServices.Where(vs => vs.Hosts.Any(h => Hosts.Intersect(h, target.Service.Hostname))).ToArray();
        return target.Port.Protocol.IsTls()
            ? Tls(proxy, push, target, listenAddress, wildcard, forHost)
            : Tcp(proxy, push, target, forHost);
    }

    private static List<ChainOptions> Tls(ProxyNode proxy, PushContext push, OutboundTarget target, string listenAddress, string wildcard,
        IReadOnlyList<VirtualServiceView> virtualServices)
    {
        var chains = new List<ChainOptions>();
        var handled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var vs in virtualServices)
        {
            foreach (var tls in vs.Spec.Tls ?? [])
            {
                if (tls.Route is not { Count: > 0 } routes)
                {
                    continue;
                }

                foreach (var match in tls.Match ?? [])
                {
                    if (!Applies(match.Gateways, match.SourceLabels, match.Port, match.SourceNamespace, proxy, target.Port.Number))
                    {
                        continue;
                    }

                    var subnets = match.DestinationSubnets is { Count: > 0 } s && target.Port.Number > 0 ? s : target.Cidrs;
                    // Matches that differ only in what is decided here (labels, gateways) are unreachable after the first.
                    var key = string.Join(',', match.SniHosts ?? []) + "|" + string.Join(',', match.DestinationSubnets ?? []);
                    if (handled.Add(key))
                    {
                        chains.Add(new ChainOptions
                        {
                            Metadata = IstioMetadata.Config(vs.ConfigPath),
                            SniHosts = match.SniHosts ?? [],
                            DestinationCidrs = subnets,
                            NetworkFilters = [TcpProxies.ForRoute(proxy, push, vs, routes, target.Port.Number)],
                        });
                    }
                }
            }
        }

        if (chains.Count > 0)
        {
            return chains;
        }

        // Without a TLS route, the SNI is what tells services sharing a wildcard listener (no VIP, or a CIDR) apart.
        var address = listenAddress.Contains('/', StringComparison.Ordinal) ? string.Empty : listenAddress;
        var sni = target.Cidrs.Count > 0 || address.Length == 0 || (address == wildcard && target.Bind == wildcard)
            ? new[] { target.Service.Hostname }
            : [];
        chains.Add(new ChainOptions
        {
            SniHosts = sni,
            DestinationCidrs = target.Cidrs,
            NetworkFilters = [DefaultFilter(proxy, push, target)],
        });
        return chains;
    }

    private static List<ChainOptions> Tcp(ProxyNode proxy, PushContext push, OutboundTarget target, IReadOnlyList<VirtualServiceView> virtualServices)
    {
        var chains = new List<ChainOptions>();
        foreach (var vs in virtualServices)
        {
            foreach (var tcp in vs.Spec.Tcp ?? [])
            {
                if (tcp.Route is not { Count: > 0 } routes)
                {
                    continue;
                }

                if (tcp.Match is not { Count: > 0 } matches)
                {
                    chains.Add(RouteChain(proxy, push, vs, routes, target, target.Cidrs, withMetadata: true));
                    return chains;
                }

                var subnets = new List<string>();
                foreach (var match in matches)
                {
                    if (!Applies(match.Gateways, match.SourceLabels, match.Port, match.SourceNamespace, proxy, target.Port.Number))
                    {
                        continue;
                    }

                    // A match without destination subnets takes everything left: it is the last chain.
                    if (match.DestinationSubnets is not { Count: > 0 } || target.Port.Number == 0)
                    {
                        chains.Add(RouteChain(proxy, push, vs, routes, target, target.Cidrs, withMetadata: true));
                        return chains;
                    }

                    subnets.AddRange(match.DestinationSubnets);
                }

                if (subnets.Count > 0)
                {
                    chains.Add(RouteChain(proxy, push, vs, routes, target, subnets, withMetadata: false));

                    // The service's own chain would match exactly the same subnets: Envoy rejects duplicates, so stop here.
                    if (subnets.Order(StringComparer.Ordinal).SequenceEqual(target.Cidrs.Order(StringComparer.Ordinal)))
                    {
                        return chains;
                    }
                }
            }
        }

        chains.Add(new ChainOptions { DestinationCidrs = target.Cidrs, NetworkFilters = [DefaultFilter(proxy, push, target)] });
        return chains;
    }

    private static ChainOptions RouteChain(ProxyNode proxy, PushContext push, VirtualServiceView vs, IReadOnlyList<RouteDestination> routes,
        OutboundTarget target, IReadOnlyList<string> cidrs, bool withMetadata) => new()
    {
        Metadata = withMetadata ? IstioMetadata.Config(vs.ConfigPath) : null,
        DestinationCidrs = cidrs,
        NetworkFilters = [TcpProxies.ForRoute(proxy, push, vs, routes, target.Port.Number)],
    };

    /// <summary>
    /// The service's own cluster. On an egress listener whose port the service does not have, a single-port service is
    /// reached on its port; otherwise the listener's port is used (and most likely goes nowhere), as in Istio.
    /// </summary>
    private static Weft.Xds.Envoy.Config.Listener.V3.Filter DefaultFilter(ProxyNode proxy, PushContext push, OutboundTarget target)
    {
        var service = target.Service;
        var port = service.Ports.Count == 1 ? service.Ports[0].Number : target.Port.Number;
        var rule = push.DestinationRule(proxy, service.Hostname, service);
        return TcpProxies.ToCluster(ResourceNames.OutboundCluster(port, service.Hostname), TcpProxies.HashesOnSourceIp(rule, string.Empty));
    }

    /// <summary>
    /// The match conditions a generator decides for a given proxy (Istio's matchTCP/matchTLS): match-level gateways
    /// (sidecars are <c>mesh</c>), source labels, port and source namespace.
    /// </summary>
    private static bool Applies(IReadOnlyList<string>? gateways, IReadOnlyDictionary<string, string>? sourceLabels, long? port,
        string? sourceNamespace, ProxyNode proxy, int listenerPort) =>
        (gateways is not { Count: > 0 } || gateways.Contains(VirtualServiceIndex.Mesh))
        && (sourceLabels ?? new Dictionary<string, string>()).All(kv => proxy.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value)
        && (port is null or 0 || port == listenerPort)
        && (string.IsNullOrEmpty(sourceNamespace) || sourceNamespace == proxy.Namespace);
}
