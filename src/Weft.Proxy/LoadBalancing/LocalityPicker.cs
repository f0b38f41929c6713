using Weft.Proxy.Upstream;

namespace Weft.Proxy.LoadBalancing;

/// <summary>
/// <c>locality_weighted_lb_config</c> for the pickers: a locality by weighted round robin over the localities' effective
/// weights (weight times availability, as Envoy scales them), then an endpoint in it by the cluster's policy.
/// </summary>
internal sealed class LocalityPicker(IReadOnlyList<(HostPicker Picker, uint Weight)> localities, int seed) : HostPicker
{
    private readonly WeightedRoundRobin<HostPicker> _localities = new(localities, seed);

    public override UpstreamEndpoint? Pick(ulong random) => _localities.Pick()?.Pick(random);
}
