using Weft.Proxy.LoadBalancing;
using Weft.Proxy.Snapshot.Clusters;

namespace Weft.Proxy.Http.Retries;

/// <summary>
/// Picks an endpoint for an attempt as Envoy does when a retry host predicate is in force: up to
/// <c>host_selection_retry_max_attempts</c> more picks while the predicate rejects the host (one already tried), and
/// the last host picked when every pick is rejected. Each pick is the balancer's own, with its own draw.
/// </summary>
internal static class HostSelection
{
    public static UpstreamHost? Pick(ClusterLoadBalancer balancer, Func<ulong> random, RetryState? retry)
    {
        var picks = retry is { Policy.AvoidPreviousHosts: true } ? (long)retry.Policy.HostSelectionRetryMaxAttempts + 1 : 1;
        UpstreamHost? host = null;
        for (long i = 0; i < picks; i++)
        {
            host = balancer.Pick(random());
            if (host is null || retry is null || !retry.Rejects(host.Authority))
            {
                return host;
            }
        }

        return host;
    }
}
