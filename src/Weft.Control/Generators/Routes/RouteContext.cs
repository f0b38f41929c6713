using Weft.Control.Model;
using Weft.Control.Push;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// What route translation reads: the proxy, the push, the port of the listener the routes serve, and the gateway the
/// routes are built for (<c>mesh</c> for sidecars and proxyless clients, <c>NAMESPACE/NAME</c> for a gateway).
/// </summary>
internal sealed record RouteContext(ProxyNode Proxy, PushContext Push, int ListenerPort, string Gateway = VirtualServiceIndex.Mesh)
{
    public bool IsGateway => Gateway != VirtualServiceIndex.Mesh;
}
