using Weft.Xds;

namespace Weft.Control.Push;

/// <summary>
/// Where a sidecar sends traffic for destinations outside its registry view: ALLOW_ANY passes it through (or to the
/// Sidecar's <c>egressProxy</c>), REGISTRY_ONLY drops it. The proxy's Sidecar decides, else the mesh.
/// </summary>
public sealed record OutboundPolicy(bool AllowAny, string? EgressProxyCluster = null)
{
    /// <summary>The cluster unknown TCP traffic goes to: PassthroughCluster, the egress proxy, or BlackHoleCluster.</summary>
    public string CatchAllCluster => AllowAny ? EgressProxyCluster ?? ResourceNames.PassthroughCluster : ResourceNames.BlackHoleCluster;
}
