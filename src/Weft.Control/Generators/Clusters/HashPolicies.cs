using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// The route-side half of DestinationRule <c>consistentHash</c>: the hash policy a route to that destination carries
/// (header, cookie, source IP or query parameter), as Istio's ConsistentHashToHashPolicy writes it. The cluster side (ring
/// hash or maglev) is set by <see cref="LoadBalancers"/>.
/// </summary>
internal static class HashPolicies
{
    /// <summary>The hash policies for a destination's merged traffic policy; empty without consistent hashing.</summary>
    public static IReadOnlyList<RouteAction.Types.HashPolicy> For(TrafficPolicy? policy) => For(policy?.LoadBalancer?.ConsistentHash);

    /// <summary>
    /// The hash policies of a route destination chosen the way Istio's routes choose them (HashForHTTPDestination), which
    /// is not the cluster's merge: the subset's port-level consistentHash, else the subset's, else the rule's port-level
    /// one, else the rule's. <paramref name="port"/> is the destination's explicit port (port-level entries are only
    /// consulted when the route names one); <paramref name="subset"/> is empty for none.
    /// </summary>
    public static IReadOnlyList<RouteAction.Types.HashPolicy> ForDestination(DestinationRuleSpec? rule, string subset, int? port)
    {
        if (rule is null)
        {
            return [];
        }

        var chosen = rule.TrafficPolicy?.LoadBalancer?.ConsistentHash;
        var portLevel = PortLevel(rule.TrafficPolicy, port);
        ConsistentHashLB? subsetHash = null;
        ConsistentHashLB? subsetPortLevel = null;
        var named = rule.Subsets?.FirstOrDefault(s => s.Name == subset);
        if (named is not null)
        {
            subsetHash = named.TrafficPolicy?.LoadBalancer?.ConsistentHash;
            subsetPortLevel = PortLevel(named.TrafficPolicy, port);
        }

        return For(subsetPortLevel ?? subsetHash ?? portLevel ?? chosen);
    }

    /// <summary>
    /// The hash policies of a service's default route (Istio's hashForService): the rule's consistentHash, replaced by the
    /// first port-level entry for the service port when that entry sets one.
    /// </summary>
    public static IReadOnlyList<RouteAction.Types.HashPolicy> ForService(DestinationRuleSpec? rule, int port) =>
        For(PortLevel(rule?.TrafficPolicy, port) ?? rule?.TrafficPolicy?.LoadBalancer?.ConsistentHash);

    public static IReadOnlyList<RouteAction.Types.HashPolicy> For(ConsistentHashLB? hash)
    {
        if (hash is null)
        {
            return [];
        }

        // The API makes the hash key a oneof; validation lets only one through, so the order here does not matter.
        if (!string.IsNullOrEmpty(hash.HttpHeaderName))
        {
            return [new RouteAction.Types.HashPolicy { Header = new RouteAction.Types.HashPolicy.Types.Header { HeaderName = hash.HttpHeaderName } }];
        }

        if (hash.HttpCookie is { } cookie)
        {
            var policy = new RouteAction.Types.HashPolicy.Types.Cookie
            {
                Name = cookie.Name ?? string.Empty,
                Path = cookie.Path ?? string.Empty,
                Ttl = PolicyDurations.Parse(cookie.Ttl),
            };
            foreach (var attribute in cookie.Attributes ?? [])
            {
                policy.Attributes.Add(new RouteAction.Types.HashPolicy.Types.CookieAttribute
                {
                    Name = attribute.Name ?? string.Empty,
                    Value = attribute.Value ?? string.Empty,
                });
            }

            return [new RouteAction.Types.HashPolicy { Cookie = policy }];
        }

        if (hash.UseSourceIp is { } sourceIp)
        {
            return [new RouteAction.Types.HashPolicy { ConnectionProperties = new RouteAction.Types.HashPolicy.Types.ConnectionProperties { SourceIp = sourceIp } }];
        }

        if (!string.IsNullOrEmpty(hash.HttpQueryParameterName))
        {
            return [new RouteAction.Types.HashPolicy { QueryParameter = new RouteAction.Types.HashPolicy.Types.QueryParameter { Name = hash.HttpQueryParameterName } }];
        }

        return [];
    }

    private static ConsistentHashLB? PortLevel(TrafficPolicy? policy, int? port)
    {
        if (port is null)
        {
            return null;
        }

        // Istio stops at the first entry for the port, whether or not it sets a consistent hash.
        var level = policy?.PortLevelSettings?.FirstOrDefault(l => l.Port?.Number == port);
        return level?.LoadBalancer?.ConsistentHash;
    }
}
