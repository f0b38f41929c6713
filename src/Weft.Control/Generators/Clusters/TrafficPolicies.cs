using Weft.Api.Model.Networking;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// Istio's merge rules for DestinationRule traffic policies: a matching <c>portLevelSettings</c> entry replaces the whole
/// top-level policy; a subset's policy (after its own port-level pick) replaces connectionPool, outlierDetection,
/// loadBalancer and tls wholesale where it sets them.
/// </summary>
internal static class TrafficPolicies
{
    public static TrafficPolicy? ForPort(TrafficPolicy? policy, int port)
    {
        if (policy?.PortLevelSettings is not { Count: > 0 } levels)
        {
            return policy;
        }

        foreach (var level in levels)
        {
            if (level.Port?.Number == port)
            {
                return new TrafficPolicy
                {
                    ConnectionPool = level.ConnectionPool,
                    LoadBalancer = level.LoadBalancer,
                    OutlierDetection = level.OutlierDetection,
                    Tls = level.Tls,
                    ProxyProtocol = policy.ProxyProtocol,
                    Tunnel = policy.Tunnel,
                    RetryBudget = policy.RetryBudget,
                };
            }
        }

        return policy with { PortLevelSettings = null };
    }

    public static TrafficPolicy? MergeSubset(TrafficPolicy? original, TrafficPolicy? subset, int port)
    {
        if (subset is null)
        {
            return original;
        }

        var portLevel = ForPort(subset, port);
        var hadPortMatch = subset.PortLevelSettings?.Any(l => l.Port?.Number == port) == true;
        if (original is null)
        {
            return portLevel;
        }

        if (hadPortMatch)
        {
            return original with
            {
                ConnectionPool = portLevel?.ConnectionPool,
                OutlierDetection = portLevel?.OutlierDetection,
                LoadBalancer = portLevel?.LoadBalancer,
                Tls = portLevel?.Tls,
                PortLevelSettings = null,
            };
        }

        return original with
        {
            ConnectionPool = portLevel?.ConnectionPool ?? original.ConnectionPool,
            OutlierDetection = portLevel?.OutlierDetection ?? original.OutlierDetection,
            LoadBalancer = portLevel?.LoadBalancer ?? original.LoadBalancer,
            Tls = portLevel?.Tls ?? original.Tls,
            Tunnel = portLevel?.Tunnel ?? original.Tunnel,
            ProxyProtocol = portLevel?.ProxyProtocol ?? original.ProxyProtocol,
            RetryBudget = portLevel?.RetryBudget ?? original.RetryBudget,
            PortLevelSettings = null,
        };
    }
}
