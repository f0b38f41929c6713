using Weft.Api.Model.Networking;
using Weft.Control.Generators.Clusters;
using Weft.Control.Registry;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// Which DestinationRule <c>consistentHash</c> a route to a destination follows. Unlike the cluster's policy merge,
/// where a port-level entry replaces the whole policy, Istio picks the hash field by field: the most specific setting
/// that has one wins (subset port-level, subset, port-level, top level), and port-level entries count only when the
/// destination names its port.
/// </summary>
internal static class DestinationHashes
{
    /// <summary>The load-balancer settings holding the hash a route to this destination uses; null without one.</summary>
    public static LoadBalancerSettings? ForDestination(RouteContext context, Destination destination, string host, MeshService? service)
    {
        if (context.Push.DestinationRule(context.Proxy, host, service)?.Spec is not { } rule)
        {
            return null;
        }

        var port = destination.Port?.Number;
        var subset = rule.Subsets?.FirstOrDefault(s => s.Name == (destination.Subset ?? string.Empty));
        return Hashing(PortLevel(subset?.TrafficPolicy, port))
            ?? Hashing(subset?.TrafficPolicy?.LoadBalancer)
            ?? Hashing(PortLevel(rule.TrafficPolicy, port))
            ?? Hashing(rule.TrafficPolicy?.LoadBalancer);
    }

    /// <summary>
    /// For a service's default route: the hash of the port-level entry for the port when it sets one, else the
    /// top-level one. Subsets play no part (the default route has none).
    /// </summary>
    public static LoadBalancerSettings? ForService(RouteContext context, MeshService service, int port)
    {
        if (context.Push.DestinationRule(context.Proxy, service.Hostname, service)?.Spec is not { } rule)
        {
            return null;
        }

        var level = rule.TrafficPolicy?.PortLevelSettings?.FirstOrDefault(l => l.Port?.Number == port);
        return Hashing(level?.LoadBalancer) ?? Hashing(rule.TrafficPolicy?.LoadBalancer);
    }

    /// <summary>The route hash policies for the chosen settings, from the DestinationRule side's translation.</summary>
    public static IReadOnlyList<RouteAction.Types.HashPolicy> Policies(LoadBalancerSettings? settings) =>
        settings is null ? [] : HashPolicies.For(new TrafficPolicy { LoadBalancer = settings });

    private static LoadBalancerSettings? PortLevel(TrafficPolicy? policy, long? port) =>
        port is null ? null : policy?.PortLevelSettings?.FirstOrDefault(l => l.Port?.Number == port)?.LoadBalancer;

    private static LoadBalancerSettings? Hashing(LoadBalancerSettings? settings) => settings?.ConsistentHash is null ? null : settings;
}
