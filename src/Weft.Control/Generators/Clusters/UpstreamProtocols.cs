using Weft.Api.Model.Networking;
using Weft.Control.Model;
using Weft.Control.Registry;
using ServicePort = Weft.Control.Registry.ServicePort;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// Which HTTP version an outbound cluster speaks upstream, in Istio's order: HTTP/2 and gRPC ports always HTTP/2;
/// auto-detected ports on sidecars follow the downstream protocol; then a DestinationRule or the mesh may upgrade to
/// HTTP/2; then <c>useClientProtocol</c> switches to the downstream protocol whatever came before.
/// </summary>
internal static class UpstreamProtocols
{
    /// <summary>The protocol the port implies (Istio's setUpstreamProtocol), before any traffic policy.</summary>
    public static void ApplyPort(ClusterDraft draft, ServicePort port, ProxyType proxyType)
    {
        if (port.Protocol.IsHttp2())
        {
            draft.SetHttp2();
            return;
        }

        // Gateways do not sniff, and clients negotiating h2 by ALPN with an HTTP/1-only upstream would break there.
        if (port.Protocol == Protocol.Unsupported && proxyType == ProxyType.Sidecar)
        {
            draft.SetUseDownstreamProtocol();
        }
    }

    /// <summary>HTTP/2 upgrade from the DestinationRule or the mesh (Istio's applyH2Upgrade); outbound clusters only.</summary>
    public static void ApplyUpgrade(ClusterDraft draft, ServicePort port, MeshConfig mesh, ConnectionPoolSettings? pool)
    {
        if (ShouldUpgrade(port, mesh, pool))
        {
            draft.SetHttp2();
        }
    }

    /// <summary>
    /// Istio's shouldH2Upgrade: useClientProtocol never upgrades; an explicit UPGRADE upgrades even a port not declared
    /// HTTP (the user vouches for it), DO_NOT_UPGRADE never does; otherwise HTTP ports follow the mesh's policy.
    /// </summary>
    public static bool ShouldUpgrade(ServicePort port, MeshConfig mesh, ConnectionPoolSettings? pool)
    {
        if (pool?.Http is { } http)
        {
            if (http.UseClientProtocol == true)
            {
                return false;
            }

            switch (http.H2UpgradePolicy)
            {
                case "UPGRADE":
                    return true;
                case "DO_NOT_UPGRADE":
                    return false;
            }
        }

        return port.Protocol.IsHttp() && mesh.H2Upgrade;
    }
}
