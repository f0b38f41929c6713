using Weft.Api.Model.Networking;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// Istio's merge rules for DestinationRule traffic policies (GetPortLevelTrafficPolicy, MergeSubsetTrafficPolicy,
/// MergeTrafficPolicy). A matching <c>portLevelSettings</c> entry replaces the whole policy: it carries only
/// connectionPool, loadBalancer, outlierDetection and tls, and nothing else is inherited, not even tunnel, proxyProtocol or
/// retryBudget. A subset's policy (after its own port-level pick) then replaces those four blocks wholesale where it sets
/// them, all four when its pick came from a port-level entry, and tunnel, proxyProtocol and retryBudget where it sets them.
/// </summary>
internal static class TrafficPolicies
{
    /// <summary>The policy that applies to one port: the first matching port-level entry, else the policy itself.</summary>
    public static TrafficPolicy? ForPort(TrafficPolicy? policy, int port) => ForPort(policy, port, out _);

    /// <summary>The merged policy of a subset cluster; <paramref name="parent"/> is the rule's policy already picked for the port.</summary>
    public static TrafficPolicy? MergeSubset(TrafficPolicy? parent, TrafficPolicy? subset, int port)
    {
        var original = ForPort(parent, port);
        if (subset is null)
        {
            return original;
        }

        var picked = ForPort(subset, port, out var portLevel);
        if (original is null)
        {
            return picked;
        }

        // Everything the subset's pick does not replace comes from the parent; port-level settings are never inherited.
        return new TrafficPolicy
        {
            ConnectionPool = picked!.ConnectionPool is not null || portLevel ? picked.ConnectionPool : original.ConnectionPool,
            OutlierDetection = picked.OutlierDetection is not null || portLevel ? picked.OutlierDetection : original.OutlierDetection,
            LoadBalancer = picked.LoadBalancer is not null || portLevel ? picked.LoadBalancer : original.LoadBalancer,
            Tls = picked.Tls is not null || portLevel ? picked.Tls : original.Tls,
            Tunnel = picked.Tunnel ?? original.Tunnel,
            ProxyProtocol = picked.ProxyProtocol ?? original.ProxyProtocol,
            RetryBudget = picked.RetryBudget ?? original.RetryBudget,
        };
    }

    private static TrafficPolicy? ForPort(TrafficPolicy? policy, int port, out bool portLevel)
    {
        portLevel = false;
        foreach (var level in policy?.PortLevelSettings ?? [])
        {
            if (level.Port?.Number == port)
            {
                portLevel = true;
                return new TrafficPolicy
                {
                    ConnectionPool = level.ConnectionPool,
                    LoadBalancer = level.LoadBalancer,
                    OutlierDetection = level.OutlierDetection,
                    Tls = level.Tls,
                };
            }
        }

        return policy;
    }
}
