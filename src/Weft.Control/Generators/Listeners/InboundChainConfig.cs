using Weft.Control.Registry;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// One port a sidecar accepts inbound traffic on (Istio's inboundChainConfig): from a service the workload serves, a
/// Sidecar <c>ingress</c> entry, or the passthrough chains that take every other port.
/// </summary>
/// <param name="Cluster">Where its traffic goes: <c>inbound|PORT||</c>, or InboundPassthroughCluster.</param>
/// <param name="Port">The service-facing port (number and protocol); the number names the virtual host.</param>
/// <param name="TargetPort">
/// The port connections arrive on; 0 for the passthrough chains of any port, a port number for those of a port only
/// PeerAuthentication <c>portLevelMtls</c> names.
/// </param>
/// <param name="Bind">The address that, with the target port, names the chain (and the listener when it binds).</param>
/// <param name="BindToPort">A real listener bound to the port, instead of a chain of virtualInbound.</param>
/// <param name="Hostname">The service the port belongs to (Sidecar ingress: <c>SIDECAR.NAMESPACE</c>), for decorators.</param>
internal sealed record InboundChainConfig(string Cluster, ServicePort Port, int TargetPort, string Bind, bool BindToPort, string Hostname)
{
    /// <summary>Whether this is one of the chains that take traffic to ports nothing declares.</summary>
    public bool Passthrough { get; init; }

    /// <summary>Chain metadata naming the Sidecar an ingress entry came from.</summary>
    public Metadata? Metadata { get; init; }

    /// <summary>The chain name: <c>BIND_PORT</c>; passthrough chains are <c>virtualInbound</c> and <c>virtualInbound-catchall-http</c>.</summary>
    public string Name(ListenerProtocol protocol) => Passthrough
        ? protocol == ListenerProtocol.Http ? ResourceNames.VirtualInboundCatchAllHttpChain : ResourceNames.VirtualInboundListener
        : ResourceNames.Listener(Bind, TargetPort);

    /// <summary>The connection manager's stat prefix: <c>inbound_BIND_PORT;</c>, or the cluster for passthrough chains.</summary>
    public string StatPrefix => ResourceNames.DelimitedStatPrefix(
        Passthrough ? Cluster : ResourceNames.StatPrefix(Direction.Inbound, Name(ListenerProtocol.Http)));

    /// <summary>The route's decorator operation: <c>HOST:PORT/*</c>.</summary>
    public string TraceOperation => $"{Hostname}:{Port.Number}/*";
}
