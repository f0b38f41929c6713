using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Upstream;

namespace Weft.Proxy.LoadBalancing;

/// <summary>
/// Slow start over round robin or least request, as Envoy applies it: while any host is within the window since it
/// joined the cluster, a pick draws by every host's effective weight (its weight, divided by <c>(active + 1)^bias</c>
/// for least request, times the slow-start factor), so a new host's share grows over the window; once the last one is
/// past it, picks go to the policy's own picker. Envoy schedules by those weights (earliest deadline first); this draws
/// by them, which gives each host the same share.
/// </summary>
internal sealed class SlowStartPicker : HostPicker
{
    private readonly HostPicker _settled;
    private readonly UpstreamEndpoint[] _endpoints;
    private readonly SlowStartSettings _settings;
    private readonly double? _bias;
    private readonly TimeProvider _time;
    private readonly long _settledAt;
    private volatile bool _isSettled;

    public SlowStartPicker(HostPicker settled, UpstreamEndpoint[] endpoints, SlowStartSettings settings, double? bias, TimeProvider time)
    {
        _settled = settled;
        _endpoints = endpoints;
        _settings = settings;
        _bias = bias;
        _time = time;
        var window = (long)(settings.Window.TotalSeconds * time.TimestampFrequency);
        _settledAt = endpoints.Length == 0 ? 0 : endpoints.Max(e => e.State.JoinedAt) + window;
    }

    public override UpstreamEndpoint? Pick(ulong random)
    {
        if (_isSettled || _endpoints.Length <= 1)
        {
            return _settled.Pick(random);
        }

        var now = _time.GetTimestamp();
        if (now >= _settledAt)
        {
            _isSettled = true;
            return _settled.Pick(random);
        }

        // Two passes over the weights rather than an array of them: no allocation per pick.
        var sum = 0.0;
        foreach (var endpoint in _endpoints)
        {
            sum += Weight(endpoint, now);
        }

        var point = RandomMix.Fraction(RandomMix.Derive(random, 0)) * sum;
        foreach (var endpoint in _endpoints)
        {
            point -= Weight(endpoint, now);
            if (point < 0)
            {
                return endpoint;
            }
        }

        return _endpoints[^1];
    }

    private double Weight(UpstreamEndpoint endpoint, long now)
    {
        double weight = Math.Max(1u, endpoint.Host.Weight);
        if (_bias is { } bias)
        {
            weight = LeastRequestPicker.Biased(weight, endpoint.State.ActiveRequests, bias);
        }

        return weight * _settings.Factor(_time.GetElapsedTime(endpoint.State.JoinedAt, now));
    }
}
