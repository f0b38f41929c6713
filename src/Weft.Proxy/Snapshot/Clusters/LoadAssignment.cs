namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>
/// A cluster's endpoints (from EDS or inline), grouped by priority (0 first) and locality, with the overprovisioning
/// factor Envoy uses to spill load to the next priority when a level is unhealthy (percent; 140 by default).
/// </summary>
internal sealed record LoadAssignment(IReadOnlyList<IReadOnlyList<LocalityGroup>> Priorities, uint OverprovisioningFactor)
{
    public const uint DefaultOverprovisioningFactor = 140;

    public static readonly LoadAssignment Empty = new([], DefaultOverprovisioningFactor);

    public IEnumerable<UpstreamHost> Hosts => Priorities.SelectMany(p => p).SelectMany(l => l.Hosts);
}
