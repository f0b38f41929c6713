using System.Collections.Frozen;
using Weft.Proxy.Snapshot.Clusters;

namespace Weft.Proxy.Upstream;

/// <summary>
/// The run-time state of one cluster: its hosts' counters and ejections, the circuit breakers' counts (requests,
/// pending requests, retries) and the outlier detector. Snapshots are immutable; this is not, and it outlives them:
/// a new snapshot keeps it while the cluster's configuration is unchanged, as Envoy keeps a cluster whose resource did
/// not change, and a changed cluster starts afresh. Requests in flight finish against the state they started with.
/// </summary>
internal sealed class ClusterState : IDisposable
{
    private readonly object _waitGate = new();
    private List<TaskCompletionSource>? _waiting;
    private volatile HostTable _hosts = HostTable.Empty;
    private long _requests;
    private long _pending;
    private long _retries;
    private long _connectionOverflows;
    private int _healthVersion;

    public ClusterState(ClusterModel model, TimeProvider time, Func<ulong> random)
    {
        Limits = model.Limits;
        Time = time;
        Outlier = model.Outlier is { } outlier ? new OutlierDetector(this, outlier, time, random) : null;
    }

    public CircuitBreakerLimits Limits { get; }

    /// <summary>The proxy's clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The cluster's outlier detection; null when it has none.</summary>
    public OutlierDetector? Outlier { get; }

    /// <summary>Requests in flight (Envoy's <c>upstream_rq_active</c>, which <c>max_requests</c> limits).</summary>
    public long ActiveRequests => Interlocked.Read(ref _requests);

    /// <summary>Requests waiting for a connection (<c>upstream_rq_pending_active</c>, limited by <c>max_pending_requests</c>).</summary>
    public long PendingRequests => Interlocked.Read(ref _pending);

    /// <summary>Retries outstanding (limited by <c>max_retries</c> or the retry budget).</summary>
    public long ActiveRetries => Interlocked.Read(ref _retries);

    /// <summary>
    /// Times a new upstream connection was wanted while <c>max_connections</c> (or the per-host limit) was reached:
    /// Envoy's <c>upstream_cx_overflow</c>. An HTTP/1.1 request that has to wait for a connection counts once; a TCP
    /// connection refused for it counts once.
    /// </summary>
    public long ConnectionOverflows => Interlocked.Read(ref _connectionOverflows);

    /// <summary>Changes whenever a host is ejected or let back, so that load balancers rebuild their view.</summary>
    public int HealthVersion => Volatile.Read(ref _healthVersion);

    /// <summary>The cluster's hosts now.</summary>
    public IReadOnlyList<HostState> Hosts => _hosts.List;

    public int HostCount => _hosts.List.Length;

    public bool Contains(HostState host) =>
        _hosts.ByAuthority.TryGetValue(host.Authority, out var known) && ReferenceEquals(known, host);

    /// <summary>
    /// Takes a new set of endpoints: hosts already known (by address) keep their state, new ones start fresh, gone ones
    /// are forgotten. Returns the endpoints by priority and locality, as load balancers take them.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<EndpointLocality>> Bind(LoadAssignment assignment)
    {
        var previous = _hosts;
        var states = new Dictionary<string, HostState>(StringComparer.Ordinal);
        var levels = new List<IReadOnlyList<EndpointLocality>>();
        foreach (var level in assignment.Priorities)
        {
            var localities = new List<EndpointLocality>();
            foreach (var locality in level)
            {
                var endpoints = new UpstreamEndpoint[locality.Hosts.Count];
                for (var i = 0; i < endpoints.Length; i++)
                {
                    var host = locality.Hosts[i];
                    if (!states.TryGetValue(host.Authority, out var state))
                    {
                        state = previous.ByAuthority.GetValueOrDefault(host.Authority) ?? new HostState(host.Authority) { JoinedAt = Time.GetTimestamp() };
                        states[host.Authority] = state;
                    }

                    endpoints[i] = new UpstreamEndpoint(host, state);
                }

                localities.Add(new EndpointLocality(locality.Weight, endpoints));
            }

            levels.Add(localities);
        }

        _hosts = new HostTable(states.ToFrozenDictionary(StringComparer.Ordinal), [.. states.Values]);
        foreach (var gone in previous.List.Where(h => !states.ContainsKey(h.Authority)))
        {
            Outlier?.Forget(gone);
        }

        return levels;
    }

    /// <summary>
    /// Admits a request to a host under the circuit breakers, as Envoy's connection pools do. Over a multiplexed (HTTP/2)
    /// connection a request only counts against <c>max_requests</c>. Over HTTP/1.1 each request needs a connection to
    /// itself: an idle one to the host, or a new one while the cluster has fewer than <c>max_connections</c> (a host
    /// with none always may open one); otherwise the request is pending until a request finishes, if fewer than
    /// <c>max_pending_requests</c> are. Overflow answers at once; a pending request ends early when either token fires.
    /// Dispose the admission when the request is over. ORIGINAL_DST requests (no endpoint) count against
    /// <c>max_requests</c> only.
    /// </summary>
    public ValueTask<Admission> AdmitAsync(UpstreamEndpoint? host, ConnectionCounter? connections, bool multiplexed, CancellationToken cancel, CancellationToken alsoCancel = default)
    {
        if (multiplexed || host is null || connections is null || CanUseConnection(host, connections))
        {
            return ValueTask.FromResult(Attach(host));
        }

        return WaitAsync(host, connections, cancel, alsoCancel);
    }

    private bool CanUseConnection(UpstreamEndpoint host, ConnectionCounter connections)
    {
        var perHost = Limits.MaxConnectionsPerHost;
        if (connections.Total < Limits.MaxConnections && perHost is null)
        {
            return true;
        }

        // The HTTP client's own connections decide whether one is idle (the TCP proxy's never carry a request); the
        // per-host limit counts them all.
        var pooled = connections.Pooled(host.Authority);
        if (pooled == 0 || pooled > host.State.ActiveRequests)
        {
            return true;
        }

        return connections.Total < Limits.MaxConnections && (perHost is null || connections.Open(host.Authority) < perHost);
    }

    private async ValueTask<Admission> WaitAsync(UpstreamEndpoint host, ConnectionCounter connections, CancellationToken cancel, CancellationToken alsoCancel)
    {
        CountConnectionOverflow();
        if (Interlocked.Increment(ref _pending) > Limits.MaxPendingRequests)
        {
            Interlocked.Decrement(ref _pending);
            return Admission.Overflow;
        }

        try
        {
            using var linked = alsoCancel.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancel, alsoCancel) : null;
            var token = linked?.Token ?? cancel;
            while (true)
            {
                // Registered before looking, so a request finishing in between is not missed.
                var signal = Register();
                if (CanUseConnection(host, connections))
                {
                    Unregister(signal);
                    break;
                }

                try
                {
                    await signal.Task.WaitAsync(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Unregister(signal);
                    return Admission.Cancelled;
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }

        return Attach(host);
    }

    /// <summary>The request gets its stream: it counts against <c>max_requests</c>, or overflows.</summary>
    private Admission Attach(UpstreamEndpoint? host)
    {
        if (Interlocked.Increment(ref _requests) > Limits.MaxRequests)
        {
            Interlocked.Decrement(ref _requests);
            return Admission.Overflow;
        }

        if (host is not null)
        {
            Interlocked.Increment(ref host.State.ActiveCount);
            Interlocked.Increment(ref host.State.TotalCount);
        }

        return new Admission(this, host, AdmissionOutcome.Admitted);
    }

    /// <summary>A connection the cluster needed was not opened because of <c>max_connections</c>.</summary>
    internal void CountConnectionOverflow() => Interlocked.Increment(ref _connectionOverflows);

    /// <summary>
    /// Whether the cluster may open one more upstream connection besides the <paramref name="connections"/> open now
    /// (Envoy's check of the cluster's connection resource before a TCP proxy connects). As in Envoy, the check and the
    /// connection's counting are two steps, so connections racing for the last place may all get it.
    /// </summary>
    public bool CanOpenConnection(ConnectionCounter connections) => connections.Total < Limits.MaxConnections;

    internal void Release(UpstreamEndpoint? host)
    {
        Interlocked.Decrement(ref _requests);
        if (host is not null)
        {
            Interlocked.Decrement(ref host.State.ActiveCount);
        }

        if (Interlocked.Read(ref _pending) > 0)
        {
            WakeWaiters();
        }
    }

    private TaskCompletionSource Register()
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitGate)
        {
            (_waiting ??= []).Add(signal);
        }

        return signal;
    }

    private void Unregister(TaskCompletionSource signal)
    {
        lock (_waitGate)
        {
            _waiting?.Remove(signal);
        }
    }

    private void WakeWaiters()
    {
        List<TaskCompletionSource>? waiting;
        lock (_waitGate)
        {
            waiting = _waiting;
            _waiting = null;
        }

        foreach (var signal in waiting ?? [])
        {
            signal.TrySetResult();
        }
    }

    /// <summary>
    /// Takes a retry from the <c>max_retries</c> circuit breaker (or the retry budget: a share of the active and pending
    /// requests, never below its minimum). False means the retry overflows and must not be made. Every true must be
    /// matched by one <see cref="ReleaseRetry"/> once the retried attempt has its outcome or is abandoned.
    /// </summary>
    public bool TryAcquireRetry()
    {
        var limit = Limits.RetryBudgetPercent is { } percent
            ? Math.Max(Limits.RetryBudgetMinConcurrency, (long)(percent / 100.0 * (ActiveRequests + PendingRequests)))
            : Limits.MaxRetries;
        if (Interlocked.Increment(ref _retries) > limit)
        {
            Interlocked.Decrement(ref _retries);
            return false;
        }

        return true;
    }

    public void ReleaseRetry() => Interlocked.Decrement(ref _retries);

    /// <summary>
    /// Reports how one attempt at a host ended: the host's counters and, when the cluster has it, outlier detection.
    /// Call once per attempt, with the response status as soon as the response headers arrive, or with the failure.
    /// </summary>
    public void Report(UpstreamEndpoint host, UpstreamResult result)
    {
        var state = host.State;
        if (result.Kind == UpstreamResultKind.Response && result.Status < 500)
        {
            Interlocked.Increment(ref state.SuccessCount);
        }
        else
        {
            Interlocked.Increment(ref state.ErrorCount);
            if (result.Kind == UpstreamResultKind.Timeout)
            {
                Interlocked.Increment(ref state.TimeoutCount);
            }
        }

        Outlier?.Report(state, result);
    }

    /// <summary>
    /// Reports how the TCP proxy's attempt to connect to a host ended (<see cref="UpstreamResult.ConnectSucceeded"/>,
    /// <see cref="UpstreamResult.ConnectFailed"/> or <see cref="UpstreamResult.Timeout"/>) to outlier detection, as
    /// Envoy's tcp_proxy does. The host's request counters are left alone: no request was made.
    /// </summary>
    public void ReportConnect(UpstreamEndpoint host, UpstreamResult result) => Outlier?.Report(host.State, result);

    internal void HealthChanged() => Interlocked.Increment(ref _healthVersion);

    public void Dispose() => Outlier?.Dispose();

    private sealed record HostTable(FrozenDictionary<string, HostState> ByAuthority, HostState[] List)
    {
        public static readonly HostTable Empty = new(FrozenDictionary<string, HostState>.Empty, []);
    }
}
