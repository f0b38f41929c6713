using Weft.Api.Model.Networking;
using Weft.Control.Registry;
using Weft.Xds.Envoy.Config.Cluster.V3;

namespace Weft.Control.Generators.Clusters;

/// <summary>Applies a (merged) DestinationRule traffic policy to a cluster, as Istio's cluster builder does.</summary>
internal static class ClusterPolicy
{
    public static void Apply(ClusterContext context, Cluster cluster, MeshService service, Registry.ServicePort port, TrafficPolicy? policy)
    {
        _ = context;
        _ = service;
        _ = port;
        if (policy is null)
        {
            return;
        }

        ApplyConnectionPool(cluster, policy.ConnectionPool);
        ApplyLoadBalancer(cluster, policy.LoadBalancer);
    }

    /// <summary>What gRPC's xDS client reads (gRFC A32 and Istio's grpcgen): lb policy and the max_requests breaker.</summary>
    public static void ApplyProxyless(Cluster cluster, TrafficPolicy? policy)
    {
        if (policy?.LoadBalancer?.Simple is "LEAST_REQUEST" or "LEAST_CONN")
        {
            cluster.LbPolicy = Cluster.Types.LbPolicy.LeastRequest;
        }

        if (policy?.ConnectionPool?.Http?.Http2MaxRequests is > 0 and var max)
        {
            cluster.CircuitBreakers = new CircuitBreakers
            {
                Thresholds = { new CircuitBreakers.Types.Thresholds { MaxRequests = (uint)max } },
            };
        }
    }

    private static void ApplyConnectionPool(Cluster cluster, ConnectionPoolSettings? pool)
    {
        if (pool is null)
        {
            return;
        }

        var thresholds = cluster.CircuitBreakers.Thresholds[0];
        if (pool.Tcp?.MaxConnections is > 0 and var connections)
        {
            thresholds.MaxConnections = (uint)connections;
        }

        if (pool.Http?.Http1MaxPendingRequests is > 0 and var pending)
        {
            thresholds.MaxPendingRequests = (uint)pending;
        }

        if (pool.Http?.Http2MaxRequests is > 0 and var requests)
        {
            thresholds.MaxRequests = (uint)requests;
        }

        if (pool.Http?.MaxRetries is > 0 and var retries)
        {
            thresholds.MaxRetries = (uint)retries;
        }
    }

    private static void ApplyLoadBalancer(Cluster cluster, LoadBalancerSettings? lb)
    {
        if (lb is null || cluster.Type == Cluster.Types.DiscoveryType.OriginalDst)
        {
            return;
        }

        cluster.LbPolicy = lb.Simple switch
        {
            "ROUND_ROBIN" => Cluster.Types.LbPolicy.RoundRobin,
            "RANDOM" => Cluster.Types.LbPolicy.Random,
            "PASSTHROUGH" => Cluster.Types.LbPolicy.ClusterProvided,
            _ => Cluster.Types.LbPolicy.LeastRequest,
        };
    }
}
