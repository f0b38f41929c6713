using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// <c>virtualOutbound</c> (mesh <c>proxyListenPort</c>, 15001): where iptables sends captured outbound connections. It
/// hands each to the per-port listener of its original destination; what no such listener takes goes where the
/// outbound traffic policy says (PassthroughCluster, the Sidecar's egress proxy, or BlackHoleCluster). Connections
/// addressed to the capture port itself are dropped so they cannot loop.
/// </summary>
internal static class VirtualOutboundListener
{
    public static Listener Build(ProxyNode proxy, MeshConfig mesh, OutboundPolicy policy, ProxyAddresses addresses) => new()
    {
        Name = ResourceNames.VirtualOutboundListener,
        Address = Envoy.SocketAddress(addresses.Wildcard, mesh.ProxyListenPort),
        UseOriginalDst = true,
        Transparent = proxy.InterceptionMode == "TPROXY" ? true : null,
        TrafficDirection = TrafficDirection.Outbound,
        FilterChains =
        {
            new FilterChain
            {
                Name = ResourceNames.VirtualOutboundBlackholeChain,
                FilterChainMatch = new FilterChainMatch { DestinationPort = (uint)mesh.ProxyListenPort },
                Filters = { TcpProxies.ToCluster(ResourceNames.BlackHoleCluster) },
            },
            new FilterChain
            {
                Name = ResourceNames.VirtualOutboundCatchAllTcpChain,
                Filters = { TcpProxies.ToCluster(policy.CatchAllCluster) },
            },
        },
    };
}
