using Weft.Api.Model.Networking;
using Weft.Control.Model;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Percent = Weft.Xds.Envoy.Type.V3.Percent;
using TcpKeepalive = Weft.Xds.Envoy.Config.Core.V3.TcpKeepalive;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// DestinationRule <c>connectionPool</c> and <c>retryBudget</c> on a cluster, as Istio's applyConnectionPool writes them.
/// Istio applies it to every cluster, with an empty pool when there is no rule: that is where the connect timeout and the
/// "unlimited" circuit breakers come from. Counts of 0 cannot be told from unset, so only positive counts are copied.
/// </summary>
internal static class ConnectionPools
{
    /// <summary>Envoy's "no limit" for circuit-breaker thresholds, which Istio sets even without a DestinationRule.</summary>
    public const uint Unlimited = uint.MaxValue;

    private const double DefaultBudgetPercent = 20;
    private const uint DefaultMinRetryConcurrency = 3;

    public static void Apply(ClusterDraft draft, MeshConfig mesh, ConnectionPoolSettings? pool, TrafficPolicyRetryBudget? retryBudget)
    {
        pool ??= new ConnectionPoolSettings();
        var cluster = draft.Cluster;
        var threshold = DefaultThresholds();
        ApplyRetryBudget(threshold, retryBudget);

        var http = pool.Http;
        if (http?.Http2MaxRequests is > 0 and var requests)
        {
            threshold.MaxRequests = (uint)requests;
        }

        if (http?.Http1MaxPendingRequests is > 0 and var pending)
        {
            threshold.MaxPendingRequests = (uint)pending;
        }

        if (http?.MaxRetries is > 0 and var retries)
        {
            threshold.MaxRetries = (uint)retries;
        }

        cluster.ConnectTimeout = Envoy.Duration(mesh.ConnectTimeout);
        var tcp = pool.Tcp;
        if (PolicyDurations.Parse(tcp?.ConnectTimeout) is { } connectTimeout)
        {
            cluster.ConnectTimeout = connectTimeout;
        }

        if (tcp?.MaxConnections is > 0 and var connections)
        {
            threshold.MaxConnections = (uint)connections;
        }

        ApplyKeepalive(cluster, mesh.TcpKeepalive);
        ApplyKeepalive(cluster, tcp?.TcpKeepalive);
        cluster.CircuitBreakers = new CircuitBreakers { Thresholds = { threshold } };

        // HTTP idle timeout falls back to the TCP one: both mean "close an upstream connection nobody uses".
        var idleTimeout = PolicyDurations.Parse(http?.IdleTimeout) ?? PolicyDurations.Parse(tcp?.IdleTimeout);
        var maxConnectionDuration = PolicyDurations.Parse(tcp?.MaxConnectionDuration);
        var maxRequestsPerConnection = http?.MaxRequestsPerConnection is > 0 and var perConnection ? (uint)perConnection : 0;
        var maxConcurrentStreams = http?.MaxConcurrentStreams is > 0 and var streams ? (uint)streams : 0;
        var keepalive = http?.Http2KeepAlive;
        if (idleTimeout is not null || maxConnectionDuration is not null || maxRequestsPerConnection > 0 || maxConcurrentStreams > 0 || keepalive is not null)
        {
            var options = draft.EnsureHttpOptions();
            var common = options.CommonHttpProtocolOptions ??= new HttpProtocolOptions();
            if (idleTimeout is not null)
            {
                common.IdleTimeout = idleTimeout;
            }

            if (maxRequestsPerConnection > 0)
            {
                common.MaxRequestsPerConnection = maxRequestsPerConnection;
            }

            if (maxConnectionDuration is not null)
            {
                common.MaxConnectionDuration = maxConnectionDuration;
            }

            // HTTP/2-only knobs are dropped on clusters that do not speak HTTP/2 (yet: useClientProtocol comes after).
            if (options.ExplicitHttpConfig?.Http2ProtocolOptions is { } h2)
            {
                if (maxConcurrentStreams > 0)
                {
                    h2.MaxConcurrentStreams = maxConcurrentStreams;
                }

                if (keepalive is not null)
                {
                    h2.ConnectionKeepalive = new KeepaliveSettings
                    {
                        Interval = PolicyDurations.Parse(keepalive.Interval),
                        Timeout = PolicyDurations.Parse(keepalive.Timeout),
                    };
                }
            }
        }

        if (http?.UseClientProtocol == true)
        {
            draft.SetUseDownstreamProtocol();
        }
    }

    /// <summary>A copy of Istio's default thresholds: everything unlimited, remaining capacity tracked in stats.</summary>
    public static CircuitBreakers.Types.Thresholds DefaultThresholds() => new()
    {
        MaxConnections = Unlimited,
        MaxPendingRequests = Unlimited,
        MaxRequests = Unlimited,
        MaxRetries = Unlimited,
        TrackRemaining = true,
    };

    public static CircuitBreakers DefaultCircuitBreakers() => new() { Thresholds = { DefaultThresholds() } };

    // budgetInterval (Istio ≥ 1.30) maps to an Envoy RetryBudget field newer than our protos; it is not written.
    private static void ApplyRetryBudget(CircuitBreakers.Types.Thresholds threshold, TrafficPolicyRetryBudget? budget)
    {
        if (budget is null)
        {
            return;
        }

        threshold.RetryBudget = new CircuitBreakers.Types.Thresholds.Types.RetryBudget
        {
            BudgetPercent = new Percent { Value = budget.Percent ?? DefaultBudgetPercent },
            MinRetryConcurrency = budget.MinRetryConcurrency is > 0 and var min ? (uint)min : DefaultMinRetryConcurrency,
        };
    }

    /// <summary>
    /// Turns on SO_KEEPALIVE with the OS defaults, then overrides what the setting gives; Envoy counts in whole seconds.
    /// Called for the mesh setting and then the DestinationRule's, so the rule overrides field by field.
    /// </summary>
    private static void ApplyKeepalive(Cluster cluster, Weft.Api.Model.Networking.TcpKeepalive? keepalive)
    {
        if (keepalive is null)
        {
            return;
        }

        cluster.UpstreamConnectionOptions ??= new UpstreamConnectionOptions { TcpKeepalive = new TcpKeepalive() };
        var target = cluster.UpstreamConnectionOptions.TcpKeepalive ??= new TcpKeepalive();
        if (keepalive.Probes is > 0 and var probes)
        {
            target.KeepaliveProbes = (uint)probes;
        }

        if (PolicyDurations.Parse(keepalive.Time) is { } time)
        {
            target.KeepaliveTime = (uint)time.Seconds;
        }

        if (PolicyDurations.Parse(keepalive.Interval) is { } interval)
        {
            target.KeepaliveInterval = (uint)interval.Seconds;
        }
    }
}
