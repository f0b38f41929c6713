using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>
/// Compiles <c>circuit_breakers</c>: the DEFAULT-priority thresholds (HIGH-priority ones are accepted; no route here
/// asks for that priority), unset fields keeping Envoy's defaults, and the per-host connection limit (the only per-host
/// threshold Envoy applies). <c>max_connection_pools</c> always holds: a cluster has one pool here.
/// <c>track_remaining</c> is about stats this proxy does not have yet.
/// </summary>
internal static class CircuitBreakerCompiler
{
    public static CircuitBreakerLimits Compile(CircuitBreakers? breakers)
    {
        if (breakers is null)
        {
            return CircuitBreakerLimits.Default;
        }

        var limits = CircuitBreakerLimits.Default;
        foreach (var threshold in breakers.Thresholds.Where(t => t.Priority == RoutingPriority.Default))
        {
            limits = limits with
            {
                MaxConnections = threshold.MaxConnections ?? CircuitBreakerLimits.DefaultMax,
                MaxPendingRequests = threshold.MaxPendingRequests ?? CircuitBreakerLimits.DefaultMax,
                MaxRequests = threshold.MaxRequests ?? CircuitBreakerLimits.DefaultMax,
                MaxRetries = threshold.MaxRetries ?? CircuitBreakerLimits.DefaultMaxRetries,
                RetryBudgetPercent = threshold.RetryBudget is { } budget ? budget.BudgetPercent?.Value ?? 20 : null,
                RetryBudgetMinConcurrency = threshold.RetryBudget?.MinRetryConcurrency ?? 3,
            };
        }

        foreach (var threshold in breakers.PerHostThresholds.Where(t => t.Priority == RoutingPriority.Default))
        {
            limits = limits with { MaxConnectionsPerHost = threshold.MaxConnections };
        }

        return limits;
    }
}
