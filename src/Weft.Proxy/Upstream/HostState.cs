namespace Weft.Proxy.Upstream;

/// <summary>
/// What a cluster knows about one of its hosts at run time: request counters, the outlier detector's counters and
/// whether the host is ejected. Kept, by address, while the host stays in the cluster and the cluster's configuration
/// is unchanged (as Envoy keeps its host objects across endpoint updates). Counters change with Interlocked; the
/// ejection fields change only under the detector's lock.
/// </summary>
internal sealed class HostState(string authority)
{
    internal long ActiveCount;
    internal long TotalCount;
    internal long SuccessCount;
    internal long ErrorCount;
    internal long TimeoutCount;

    internal int Consecutive5xxCount;
    internal int ConsecutiveGatewayCount;
    internal int ConsecutiveLocalCount;

    internal SuccessRateBuckets External;
    internal SuccessRateBuckets LocalOrigin;

    private volatile bool _ejected;

    /// <summary>When the host joined the cluster (a <see cref="TimeProvider"/> timestamp): slow start counts from it.</summary>
    public long JoinedAt { get; init; }

    /// <summary>The host's address as <c>HOST:PORT</c>: its identity within the cluster.</summary>
    public string Authority { get; } = authority;

    /// <summary>Requests sent to the host that have not finished (Envoy's <c>rq_active</c>).</summary>
    public long ActiveRequests => Volatile.Read(ref ActiveCount);

    public long TotalRequests => Volatile.Read(ref TotalCount);

    public long SuccessfulRequests => Volatile.Read(ref SuccessCount);

    public long FailedRequests => Volatile.Read(ref ErrorCount);

    public long TimedOutRequests => Volatile.Read(ref TimeoutCount);

    /// <summary>Whether outlier detection has ejected the host (Envoy's <c>/failed_outlier_check</c>).</summary>
    public bool Ejected
    {
        get => _ejected;
        internal set => _ejected = value;
    }

    /// <summary>How many times the host was ejected.</summary>
    public int Ejections { get; internal set; }

    /// <summary>The multiplier of the base ejection time for the next ejection; decays while the host behaves.</summary>
    internal int Backoff { get; set; }

    internal long EjectedAt { get; set; }

    internal long? UnejectedAt { get; set; }

    internal TimeSpan Jitter { get; set; }

    /// <summary>The success rate (percent) of the last interval, as the detector computed it; -1 when it did not.</summary>
    public double SuccessRate { get; internal set; } = -1;

    public double LocalOriginSuccessRate { get; internal set; } = -1;
}
