using Weft.Proxy.Upstream;

namespace Weft.Proxy.LoadBalancing;

/// <summary>RANDOM: any endpoint with equal chance; Envoy's random balancer ignores weights.</summary>
internal sealed class RandomPicker(UpstreamEndpoint[] endpoints) : HostPicker
{
    public override UpstreamEndpoint? Pick(ulong random) =>
        endpoints.Length == 0 ? null : endpoints[(int)(random % (ulong)endpoints.Length)];
}
