using Weft.Proxy.Upstream;

namespace Weft.Proxy.LoadBalancing;

/// <summary>
/// LEAST_REQUEST as Envoy does it. Equal weights: look at <c>choice_count</c> endpoints drawn at random and take the
/// one with the fewest requests in flight (the first drawn on a tie): power of two choices by default. Unequal weights,
/// or an explicit <c>active_request_bias</c>: every endpoint weighs <c>weight / (active + 1)^bias</c> at the moment of
/// the pick; Envoy schedules by those weights (earliest deadline first), this draws by them, which gives each endpoint
/// the same share without a shared schedule to lock.
/// </summary>
internal sealed class LeastRequestPicker : HostPicker
{
    private readonly UpstreamEndpoint[] _endpoints;
    private readonly int _choices;
    private readonly double _bias;
    private readonly bool _weighted;

    public LeastRequestPicker(UpstreamEndpoint[] endpoints, int choices, double? bias)
    {
        _endpoints = endpoints;
        _choices = choices;
        _bias = bias ?? 1.0;
        _weighted = bias is not null || endpoints.Select(e => e.Host.Weight).Distinct().Skip(1).Any();
    }

    public override UpstreamEndpoint? Pick(ulong random)
    {
        var endpoints = _endpoints;
        if (endpoints.Length <= 1)
        {
            return endpoints.Length == 0 ? null : endpoints[0];
        }

        return _weighted ? PickWeighted(random) : PickFewest(random);
    }

    private UpstreamEndpoint PickFewest(ulong random)
    {
        var endpoints = _endpoints;
        var best = endpoints[(int)(RandomMix.Derive(random, 0) % (ulong)endpoints.Length)];
        for (var i = 1; i < _choices; i++)
        {
            var candidate = endpoints[(int)(RandomMix.Derive(random, (ulong)i) % (ulong)endpoints.Length)];
            if (candidate.State.ActiveRequests < best.State.ActiveRequests)
            {
                best = candidate;
            }
        }

        return best;
    }

    private UpstreamEndpoint PickWeighted(ulong random)
    {
        var endpoints = _endpoints;
        var sum = 0.0;
        foreach (var endpoint in endpoints)
        {
            sum += Weight(endpoint);
        }

        var point = RandomMix.Fraction(RandomMix.Derive(random, 0)) * sum;
        foreach (var endpoint in endpoints)
        {
            point -= Weight(endpoint);
            if (point < 0)
            {
                return endpoint;
            }
        }

        return endpoints[^1];
    }

    private double Weight(UpstreamEndpoint endpoint) => Biased(endpoint.Host.Weight, endpoint.State.ActiveRequests, _bias);

    /// <summary>Envoy's least-request weight: <c>weight / (active + 1)^bias</c> (the weight itself when the bias is 0).</summary>
    internal static double Biased(double weight, long active, double bias) => bias switch
    {
        0 => weight,
        1 => weight / (active + 1.0),
        _ => weight / Math.Pow(active + 1.0, bias),
    };
}
