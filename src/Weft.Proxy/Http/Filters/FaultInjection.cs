using Microsoft.AspNetCore.Http;
using Weft.Proxy.Snapshot.Filters;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Snapshot.Routes;

namespace Weft.Proxy.Http.Filters;

/// <summary>
/// Envoy's fault filter for one request: when the policy applies to it (cluster, downstream node, headers), a delay
/// for its share of requests (flag DI), waited out on the proxy's clock before anything else happens, then an abort for
/// its share (flag FI), answered locally with the status and "fault filter abort". Each share is a fresh draw, as each
/// of Envoy's runtime checks is.
/// </summary>
internal static class FaultInjection
{
    public const string DownstreamNodeHeader = "x-envoy-downstream-service-node";
    public const string AbortBody = "fault filter abort";

    /// <summary>Runs the filter; true when it answered (an abort) or the client left while it waited.</summary>
    public static async Task<bool> RunAsync(HttpContext context, FaultPolicy policy, RouteRequest request, RouteEntry? route, ulong draw, Func<ulong> random, TimeProvider time)
    {
        if (policy.IsEmpty
            || (policy.UpstreamCluster is { } target && ClusterOf(route, request, draw) != target)
            || (policy.DownstreamNodes.Count > 0 && !(request.Header(DownstreamNodeHeader) is { } node && policy.DownstreamNodes.Contains(node)))
            || !MatchesHeaders(policy, request))
        {
            return false;
        }

        var info = context.Features.Get<ProxyRequestInfo>();
        IDisposable? active = null;
        try
        {
            if (policy.Delay is { } delay && policy.DelayShare.Hit(random) && (active = policy.TryActivate()) is not null)
            {
                info?.AddFlag(ResponseFlags.DelayInjected);
                try
                {
                    await Task.Delay(delay, time, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    info?.AddFlag(ResponseFlags.DownstreamConnectionTermination);
                    return true;
                }
            }

            if (policy.AbortStatus is { } status && policy.AbortShare.Hit(random) && (active ??= policy.TryActivate()) is not null)
            {
                await LocalReplies.SendAsync(context, status, AbortBody, ResponseFlags.FaultInjected, policy.AbortGrpcStatus).ConfigureAwait(false);
                return true;
            }

            return false;
        }
        finally
        {
            active?.Dispose();
        }
    }

    private static bool MatchesHeaders(FaultPolicy policy, RouteRequest request)
    {
        foreach (var header in policy.Headers)
        {
            if (!header.Matches(request))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The cluster the router will choose (the route's draw picks the same weighted cluster).</summary>
    private static string? ClusterOf(RouteEntry? route, RouteRequest request, ulong draw) =>
        route?.Behavior is ForwardAction forward ? forward.Clusters.Pick(request, draw).Cluster : null;
}
