using Weft.Control.Generators.Endpoints;
using Weft.Control.Registry;
using Weft.Xds.Envoy.Config.Cluster.V3;
using TrafficPolicy = Weft.Api.Model.Networking.TrafficPolicy;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// Applies a (merged) DestinationRule traffic policy to an outbound sidecar or gateway cluster, in Istio's order
/// (applyTrafficPolicy): HTTP/2 upgrade, connection pool (always, for Istio's defaults), outlier detection, locality and
/// load-balancing policy, then TLS, whose ALPN depends on the protocol chosen before it. ORIGINAL_DST clusters end up
/// CLUSTER_PROVIDED whatever the rule says.
/// </summary>
internal static class ClusterPolicy
{
    /// <param name="context">The proxy and push.</param>
    /// <param name="draft">The cluster, with its discovery type, endpoints and port protocol already set.</param>
    /// <param name="port">The service port.</param>
    /// <param name="policy">The merged policy; null without a DestinationRule.</param>
    /// <param name="tls">What TLS origination needs besides the policy.</param>
    /// <param name="inline">The cluster's inline endpoints by locality (DNS clusters), for locality priorities.</param>
    public static void Apply(ClusterContext context, ClusterDraft draft, ServicePort port, TrafficPolicy? policy, TlsTarget tls, IReadOnlyList<LocalityGroup> inline)
    {
        var cluster = draft.Cluster;
        var mesh = context.Push.Mesh;
        UpstreamProtocols.ApplyUpgrade(draft, port, mesh, policy?.ConnectionPool);
        ConnectionPools.Apply(draft, mesh, policy?.ConnectionPool, policy?.RetryBudget);
        OutlierDetections.Apply(cluster, policy?.OutlierDetection);

        LocalityLoadBalancing.ApplyToCluster(cluster, LocalityLoadBalancing.Effective(mesh, policy?.LoadBalancer), inline, context.Proxy);
        if (cluster.Type != Cluster.Types.DiscoveryType.OriginalDst)
        {
            LoadBalancers.Apply(cluster, policy?.LoadBalancer);
        }

        UpstreamTls.Apply(draft, policy?.Tls, tls, context.Proxy.Type, mesh);
        if (cluster.Type == Cluster.Types.DiscoveryType.OriginalDst)
        {
            cluster.LbPolicy = Cluster.Types.LbPolicy.ClusterProvided;
        }
    }
}
