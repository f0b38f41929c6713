namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>Where a cluster's endpoints come from.</summary>
internal enum DiscoveryKind
{
    Static,
    StrictDns,
    LogicalDns,
    Eds,
    OriginalDst,
}
