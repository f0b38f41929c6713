namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>
/// A cluster's circuit-breaker thresholds at the DEFAULT routing priority, with Envoy's defaults (1024 connections,
/// pending requests and requests, 3 retries). With a retry budget, concurrent retries are limited to a share of the
/// active and pending requests (never below the minimum) instead of <see cref="MaxRetries"/>.
/// </summary>
internal sealed record CircuitBreakerLimits
{
    public const long DefaultMax = 1024;

    public const long DefaultMaxRetries = 3;

    public static readonly CircuitBreakerLimits Default = new();

    public long MaxConnections { get; init; } = DefaultMax;

    public long MaxPendingRequests { get; init; } = DefaultMax;

    public long MaxRequests { get; init; } = DefaultMax;

    public long MaxRetries { get; init; } = DefaultMaxRetries;

    /// <summary><c>per_host_thresholds</c> max_connections (the only per-host limit Envoy applies); null for none.</summary>
    public long? MaxConnectionsPerHost { get; init; }

    /// <summary>The retry budget's share of active and pending requests, in percent; null without a budget.</summary>
    public double? RetryBudgetPercent { get; init; }

    /// <summary>The retry budget's floor on concurrent retries.</summary>
    public long RetryBudgetMinConcurrency { get; init; } = 3;
}
