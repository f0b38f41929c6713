using Weft.Proxy.Upstream;

namespace Weft.Proxy.LoadBalancing;

/// <summary>ROUND_ROBIN: weighted round robin over the endpoints, from a random start.</summary>
internal sealed class RoundRobinPicker(UpstreamEndpoint[] endpoints, int seed) : HostPicker
{
    private readonly WeightedRoundRobin<UpstreamEndpoint> _rotation = new(endpoints.Select(e => (e, e.Host.Weight)).ToList(), seed);

    public override UpstreamEndpoint? Pick(ulong random) => _rotation.Pick();
}
