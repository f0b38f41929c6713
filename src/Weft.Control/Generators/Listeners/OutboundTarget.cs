using Weft.Control.Registry;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// One (service, port) an outbound listener is built for (Istio's outboundListenerOpts): the listener's bind address
/// (empty until resolved: a TCP port binds the service address, an HTTP port the wildcard), whether it binds a real
/// socket, the port as the listener sees it, and the destination networks its chains match.
/// </summary>
internal sealed record OutboundTarget(string Bind, bool BindToPort, ServicePort Port, MeshService Service)
{
    public IReadOnlyList<string> Cidrs { get; init; } = [];
}
