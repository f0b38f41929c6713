using Weft.Proxy.LoadBalancing;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Upstream;
using Weft.Proxy.Xds;

namespace Weft.Proxy.Snapshot;

/// <summary>
/// A cluster as a snapshot serves it: its model, its endpoints, the load balancer over them, and the cluster's run-time
/// <see cref="State"/> (circuit breakers, host counters, outlier detection), which outlives the snapshot while the
/// cluster's resource stays the same.
/// </summary>
internal sealed record ClusterRuntime(
    ClusterModel Model,
    LoadAssignment Assignment,
    ClusterLoadBalancer Balancer,
    AcceptedResource Source,
    AcceptedResource? Endpoints,
    ClusterState State,
    IReadOnlyList<UpstreamEndpoint> Hosts)
{
    /// <summary>Reports how an attempt at one of this cluster's hosts ended (see <see cref="ClusterState.Report"/>).</summary>
    public void Report(UpstreamEndpoint host, UpstreamResult result) => State.Report(host, result);

    /// <summary>Takes a retry from the cluster's retry circuit breaker (see <see cref="ClusterState.TryAcquireRetry"/>).</summary>
    public bool TryAcquireRetry() => State.TryAcquireRetry();

    public void ReleaseRetry() => State.ReleaseRetry();
}
