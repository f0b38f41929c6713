using Weft.Proxy.Snapshot.Clusters;

namespace Weft.Proxy.Upstream;

/// <summary>
/// Envoy's outlier detection for one cluster. Results are counted per host as they are reported (lock-free); a host
/// that reaches a consecutive-error threshold, or whose success rate or failure percentage stands out at a sweep, is
/// ejected when the enforcing percentage allows and no more than <c>max_ejection_percent</c> of the hosts would be out
/// (one always may be with <c>always_eject_one_host</c>). An ejection lasts the base time times the host's backoff (one
/// more each ejection, less one for each interval it behaves after coming back), capped by the maximum time, plus
/// jitter; the sweep every interval lets hosts back. Ejections and sweeps take a lock; reporting does not.
/// </summary>
internal sealed class OutlierDetector : IDisposable
{
    private readonly object _gate = new();
    private readonly ClusterState _cluster;
    private readonly OutlierSettings _settings;
    private readonly TimeProvider _time;
    private readonly Func<ulong> _random;
    private readonly ITimer _timer;
    private int _ejected;

    public OutlierDetector(ClusterState cluster, OutlierSettings settings, TimeProvider time, Func<ulong> random)
    {
        _cluster = cluster;
        _settings = settings;
        _time = time;
        _random = random;
        _timer = time.CreateTimer(static d => ((OutlierDetector)d!).Sweep(), this, settings.Interval, settings.Interval);
    }

    private enum Kind
    {
        Consecutive5xx,
        ConsecutiveGateway,
        ConsecutiveLocalOrigin,
        SuccessRate,
        LocalOriginSuccessRate,
        FailurePercentage,
        LocalOriginFailurePercentage,
    }

    /// <summary>How many hosts are ejected now (Envoy's <c>outlier_detection.ejections_active</c>).</summary>
    public int EjectedCount => Volatile.Read(ref _ejected);

    /// <summary>The last sweep's mean success rate and ejection threshold (percent; -1 when there were too few hosts).</summary>
    public (double Average, double Threshold) SuccessRate { get; private set; } = (-1, -1);

    public (double Average, double Threshold) LocalOriginSuccessRate { get; private set; } = (-1, -1);

    public void Report(HostState host, UpstreamResult result)
    {
        if (!_settings.SplitExternalLocalOriginErrors)
        {
            // Everything is an HTTP status: a connect failure or reset counts as 503, a timeout as 504, an opened TCP
            // proxy connection as 200.
            PutStatus(host, result.Status);
            return;
        }

        switch (result.Kind)
        {
            case UpstreamResultKind.Response:
                LocalOriginSucceeded(host);
                PutStatus(host, result.Status);
                break;
            case UpstreamResultKind.ConnectSucceeded:
                // Only the connection is judged: the external counters wait for a response that never comes.
                LocalOriginSucceeded(host);
                break;
            default:
                host.LocalOrigin.Count(success: false);
                if (Interlocked.Increment(ref host.ConsecutiveLocalCount) == _settings.ConsecutiveLocalOriginFailure)
                {
                    OnConsecutive(host, Kind.ConsecutiveLocalOrigin);
                }

                break;
        }
    }

    private void LocalOriginSucceeded(HostState host)
    {
        host.LocalOrigin.Count(success: true);
        if (Volatile.Read(ref host.ConsecutiveLocalCount) != 0)
        {
            Volatile.Write(ref host.ConsecutiveLocalCount, 0);
        }
    }

    private void PutStatus(HostState host, int status)
    {
        if (status < 500 || status > 599)
        {
            host.External.Count(success: true);
            if (Volatile.Read(ref host.Consecutive5xxCount) != 0)
            {
                Volatile.Write(ref host.Consecutive5xxCount, 0);
            }

            if (Volatile.Read(ref host.ConsecutiveGatewayCount) != 0)
            {
                Volatile.Write(ref host.ConsecutiveGatewayCount, 0);
            }

            return;
        }

        host.External.Count(success: false);
        if (status is 502 or 503 or 504)
        {
            if (Interlocked.Increment(ref host.ConsecutiveGatewayCount) == _settings.ConsecutiveGatewayFailure)
            {
                OnConsecutive(host, Kind.ConsecutiveGateway);
            }
        }
        else if (Volatile.Read(ref host.ConsecutiveGatewayCount) != 0)
        {
            Volatile.Write(ref host.ConsecutiveGatewayCount, 0);
        }

        if (Interlocked.Increment(ref host.Consecutive5xxCount) == _settings.Consecutive5xx)
        {
            OnConsecutive(host, Kind.Consecutive5xx);
        }
    }

    /// <summary>A consecutive-error threshold was reached: eject if allowed, and count afresh either way.</summary>
    private void OnConsecutive(HostState host, Kind kind)
    {
        lock (_gate)
        {
            if (!_cluster.Contains(host) || host.Ejected)
            {
                return;
            }

            Eject(host, kind);
            switch (kind)
            {
                case Kind.Consecutive5xx:
                    Volatile.Write(ref host.Consecutive5xxCount, 0);
                    break;
                case Kind.ConsecutiveGateway:
                    Volatile.Write(ref host.ConsecutiveGatewayCount, 0);
                    break;
                default:
                    Volatile.Write(ref host.ConsecutiveLocalCount, 0);
                    break;
            }
        }
    }

    /// <summary>Ejects a host when the ejection cap and the enforcing percentage allow it; called under the lock.</summary>
    private void Eject(HostState host, Kind kind)
    {
        var hosts = _cluster.HostCount;
        var share = hosts == 0 ? 100.0 : 100.0 * (_ejected + 1) / hosts;
        var allowed = share <= _settings.MaxEjectionPercent || (_settings.AlwaysEjectOneHost && _ejected == 0);
        if (!allowed || !Enforced(kind))
        {
            return;
        }

        Volatile.Write(ref _ejected, _ejected + 1);
        host.Ejected = true;
        host.Ejections++;
        host.EjectedAt = _time.GetTimestamp();
        var jitter = (long)_settings.MaxEjectionTimeJitter.TotalMilliseconds;
        host.Jitter = jitter > 0 ? TimeSpan.FromMilliseconds((double)(_random() % (ulong)(jitter + 1))) : TimeSpan.Zero;
        if (host.Backoff * _settings.BaseEjectionTime < _settings.MaxEjectionTime + _settings.BaseEjectionTime)
        {
            host.Backoff++;
        }

        _cluster.HealthChanged();
    }

    private bool Enforced(Kind kind)
    {
        var percent = kind switch
        {
            Kind.Consecutive5xx => _settings.EnforcingConsecutive5xx,
            Kind.ConsecutiveGateway => _settings.EnforcingConsecutiveGatewayFailure,
            Kind.ConsecutiveLocalOrigin => _settings.EnforcingConsecutiveLocalOriginFailure,
            Kind.SuccessRate => _settings.EnforcingSuccessRate,
            Kind.LocalOriginSuccessRate => _settings.EnforcingLocalOriginSuccessRate,
            Kind.FailurePercentage => _settings.EnforcingFailurePercentage,
            _ => _settings.EnforcingFailurePercentageLocalOrigin,
        };
        return percent >= 100 || (percent > 0 && _random() % 100 < (ulong)percent);
    }

    /// <summary>
    /// The interval's work, in Envoy's order: let back hosts whose time is up, close the success-rate interval and
    /// eject by success rate and failure percentage, then shorten the backoff of hosts that stayed in for an interval.
    /// </summary>
    internal void Sweep()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var hosts = _cluster.Hosts;
            SuccessRate = (-1, -1);
            LocalOriginSuccessRate = (-1, -1);
            foreach (var host in hosts)
            {
                if (host.Ejected)
                {
                    var time = host.Backoff * _settings.BaseEjectionTime;
                    var duration = (time < _settings.MaxEjectionTime ? time : _settings.MaxEjectionTime) + host.Jitter;
                    if (_time.GetElapsedTime(host.EjectedAt, now) >= duration)
                    {
                        Uneject(host, now);
                    }
                }

                host.External.Roll();
                host.LocalOrigin.Roll();
                host.SuccessRate = -1;
                host.LocalOriginSuccessRate = -1;
            }

            EjectBySuccess(hosts, local: false);
            if (_settings.SplitExternalLocalOriginErrors)
            {
                EjectBySuccess(hosts, local: true);
            }

            foreach (var host in hosts)
            {
                if (!host.Ejected && host.UnejectedAt is { } back && _time.GetElapsedTime(back, now) >= _settings.Interval && host.Backoff > 0)
                {
                    host.Backoff--;
                }
            }
        }
    }

    private void Uneject(HostState host, long now)
    {
        Volatile.Write(ref _ejected, _ejected - 1);
        host.Ejected = false;
        host.UnejectedAt = now;

        // Counting starts afresh, so a few errors right after coming back do not eject the host again.
        Volatile.Write(ref host.Consecutive5xxCount, 0);
        Volatile.Write(ref host.ConsecutiveGatewayCount, 0);
        Volatile.Write(ref host.ConsecutiveLocalCount, 0);
        _cluster.HealthChanged();
    }

    /// <summary>Success-rate (mean less a multiple of the deviation) and failure-percentage ejections over the last interval.</summary>
    private void EjectBySuccess(IReadOnlyList<HostState> hosts, bool local)
    {
        var s = _settings;
        if (hosts.Count < s.SuccessRateMinimumHosts && hosts.Count < s.FailurePercentageMinimumHosts)
        {
            return;
        }

        var rated = new List<(HostState Host, double Rate)>();
        var percentaged = new List<(HostState Host, double Rate)>();
        foreach (var host in hosts)
        {
            if (host.Ejected || (local ? host.LocalOrigin.Last() : host.External.Last()) is not { } last)
            {
                continue;
            }

            if (last.Volume >= Math.Min(s.SuccessRateRequestVolume, s.FailurePercentageRequestVolume))
            {
                if (local)
                {
                    host.LocalOriginSuccessRate = last.Rate;
                }
                else
                {
                    host.SuccessRate = last.Rate;
                }
            }

            if (last.Volume >= s.SuccessRateRequestVolume)
            {
                rated.Add((host, last.Rate));
            }

            if (last.Volume >= s.FailurePercentageRequestVolume)
            {
                percentaged.Add((host, last.Rate));
            }
        }

        if (rated.Count > 0 && rated.Count >= s.SuccessRateMinimumHosts)
        {
            var mean = rated.Average(r => r.Rate);
            var deviation = Math.Sqrt(rated.Average(r => (r.Rate - mean) * (r.Rate - mean)));
            var threshold = mean - (s.SuccessRateStdevFactor / 1000.0 * deviation);
            if (local)
            {
                LocalOriginSuccessRate = (mean, threshold);
            }
            else
            {
                SuccessRate = (mean, threshold);
            }

            foreach (var (host, rate) in rated)
            {
                if (rate < threshold && !host.Ejected)
                {
                    Eject(host, local ? Kind.LocalOriginSuccessRate : Kind.SuccessRate);
                }
            }
        }

        if (percentaged.Count > 0 && percentaged.Count >= s.FailurePercentageMinimumHosts)
        {
            foreach (var (host, rate) in percentaged)
            {
                if (100.0 - rate >= s.FailurePercentageThreshold && !host.Ejected)
                {
                    Eject(host, local ? Kind.LocalOriginFailurePercentage : Kind.FailurePercentage);
                }
            }
        }
    }

    /// <summary>A host left the cluster: an ejection it held no longer counts against the cap.</summary>
    internal void Forget(HostState host)
    {
        lock (_gate)
        {
            if (host.Ejected)
            {
                Volatile.Write(ref _ejected, _ejected - 1);
            }
        }
    }

    public void Dispose() => _timer.Dispose();
}
