using Weft.Proxy.Upstream;

namespace Weft.Proxy.LoadBalancing;

/// <summary>Picks one endpoint out of a fixed set by a policy (round robin, least request, random), given a random value.</summary>
internal abstract class HostPicker
{
    public abstract UpstreamEndpoint? Pick(ulong random);
}
