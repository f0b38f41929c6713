namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>The endpoints of one locality at one priority, with the locality's weight (0 when the control plane set none).</summary>
internal sealed record LocalityGroup(string Region, string Zone, string SubZone, uint Weight, IReadOnlyList<UpstreamHost> Hosts);
