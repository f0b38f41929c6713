namespace Weft.Proxy.Snapshot.Listeners;

/// <summary>
/// A compiled <c>tcp_proxy</c> filter: the cluster (or weighted clusters, one drawn per connection), the idle timeout
/// for both directions (Envoy's default is an hour; infinite when set to 0), how many upstream connection attempts a
/// connection gets (Envoy's <c>max_connect_attempts</c>, default 1) and how long it may last at most.
/// </summary>
internal sealed record TcpProxyModel
{
    /// <summary>Envoy's idle timeout when the filter sets none.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromHours(1);

    public required string StatPrefix { get; init; }

    /// <summary>The clusters and their weights; a single <c>cluster</c> is one entry.</summary>
    public required IReadOnlyList<TcpClusterWeight> Clusters { get; init; }

    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    public int MaxConnectAttempts { get; init; } = 1;

    /// <summary><c>max_downstream_connection_duration</c>; null for no limit.</summary>
    public TimeSpan? MaxConnectionDuration { get; init; }

    /// <summary>The file access logs the filter asks for: one line per connection when it closes.</summary>
    public IReadOnlyList<Telemetry.AccessLog.AccessLogConfig> AccessLogs { get; init; } = [];

    /// <summary>The cluster for one connection: the random value modulo the weights' sum falls into one entry, in order.</summary>
    public string PickCluster(ulong random)
    {
        if (Clusters.Count == 1)
        {
            return Clusters[0].Name;
        }

        ulong total = 0;
        foreach (var cluster in Clusters)
        {
            total += cluster.Weight;
        }

        var point = random % total;
        foreach (var cluster in Clusters)
        {
            if (point < cluster.Weight)
            {
                return cluster.Name;
            }

            point -= cluster.Weight;
        }

        return Clusters[^1].Name;
    }
}

/// <summary>One of a TCP proxy's clusters and its weight.</summary>
internal sealed record TcpClusterWeight(string Name, uint Weight);
