using Weft.Api.Model.Networking;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Weft.Xds.Envoy.Type.V3;
using Destination = Weft.Api.Model.Networking.Destination;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// tcp_proxy filters as Istio writes them: to one cluster (stat prefix = the cluster), or for a VirtualService TCP/TLS
/// route, to its one destination or split by weight between several (stat prefix <c>NAME.NAMESPACE</c>, zero weights
/// dropped). A DestinationRule hashing on the source IP turns into a source-IP hash policy.
/// </summary>
internal static class TcpProxies
{
    public const string Name = "envoy.filters.network.tcp_proxy";

    public static Filter ToCluster(string cluster, bool hashOnSourceIp = false)
    {
        var proxy = new TcpProxy { StatPrefix = cluster, Cluster = cluster };
        if (hashOnSourceIp)
        {
            proxy.HashPolicy.Add(new HashPolicy { SourceIp = new HashPolicy.Types.SourceIp() });
        }

        return Envoy.NetworkFilter(Name, proxy);
    }

    /// <summary>The filter of a VirtualService route's destinations, seen by a listener on <paramref name="listenerPort"/>.</summary>
    public static Filter ForRoute(ProxyNode proxy, PushContext push, VirtualServiceView vs, IReadOnlyList<RouteDestination> routes, int listenerPort)
    {
        var first = routes[0].Destination ?? new Destination();
        var firstHost = Hosts.Resolve(first.Host ?? string.Empty, vs.Namespace);
        var rule = push.DestinationRule(proxy, firstHost, push.Service(firstHost, proxy.Namespace));
        if (routes.Count == 1)
        {
            return ToCluster(ClusterFor(push, proxy, vs.Namespace, first, listenerPort), HashesOnSourceIp(rule, first.Subset ?? string.Empty));
        }

        var weighted = new TcpProxy.Types.WeightedCluster();
        foreach (var route in routes)
        {
            if ((route.Weight ?? 0) > 0 && route.Destination is { } destination)
            {
                weighted.Clusters.Add(new TcpProxy.Types.WeightedCluster.Types.ClusterWeight
                {
                    Name = ClusterFor(push, proxy, vs.Namespace, destination, listenerPort),
                    Weight = (uint)route.Weight!.Value,
                });
            }
        }

        var tcpProxy = new TcpProxy { StatPrefix = $"{vs.Name}.{vs.Namespace}", WeightedClusters = weighted };
        if (HashesOnSourceIp(rule, string.Empty))
        {
            tcpProxy.HashPolicy.Add(new HashPolicy { SourceIp = new HashPolicy.Types.SourceIp() });
        }

        return Envoy.NetworkFilter(Name, tcpProxy);
    }

    /// <summary>
    /// Istio's destination cluster: the destination's explicit port, else the service's only port, else the port of the
    /// listener the traffic arrived on.
    /// </summary>
    public static string ClusterFor(PushContext push, ProxyNode proxy, string routeNamespace, Destination destination, int listenerPort)
    {
        var host = Hosts.Resolve(destination.Host ?? string.Empty, routeNamespace);
        var service = push.Service(host, proxy.Namespace);
        var port = destination.Port?.Number is { } explicitPort ? (int)explicitPort
            : service?.Ports.Count == 1 ? service.Ports[0].Number
            : listenerPort;
        return ResourceNames.OutboundCluster(port, host, destination.Subset ?? string.Empty);
    }

    /// <summary>Whether the rule's (or the subset's) load balancer is a consistent hash on the source IP.</summary>
    public static bool HashesOnSourceIp(DestinationRuleView? rule, string subset)
    {
        if (rule is null)
        {
            return false;
        }

        var useSourceIp = rule.Spec.TrafficPolicy?.LoadBalancer?.ConsistentHash?.UseSourceIp == true;
        if (subset.Length > 0 && rule.Subset(subset)?.TrafficPolicy?.LoadBalancer is { } subsetLb)
        {
            useSourceIp = subsetLb.ConsistentHash?.UseSourceIp == true;
        }

        return useSourceIp;
    }
}
