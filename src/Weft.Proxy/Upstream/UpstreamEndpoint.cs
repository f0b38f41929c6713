using Weft.Proxy.Snapshot.Clusters;

namespace Weft.Proxy.Upstream;

/// <summary>
/// A host as load balancers see it: what the control plane said about it (address, weight, EDS health, locality) and
/// its run-time state (requests in flight, ejection). Healthy means EDS-healthy and not ejected.
/// </summary>
internal sealed class UpstreamEndpoint(UpstreamHost host, HostState state)
{
    public UpstreamHost Host { get; } = host;

    public HostState State { get; } = state;

    public string Authority => State.Authority;

    public bool IsHealthy => Host.IsHealthy && !State.Ejected;

    public bool IsDegraded => Host.IsDegraded && !State.Ejected;
}
