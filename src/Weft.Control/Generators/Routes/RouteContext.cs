using Weft.Control.Model;
using Weft.Control.Push;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// What route translation reads: the proxy, the push, the port of the listener the routes serve, and the gateway the
/// routes are built for (<c>mesh</c> for sidecars and proxyless clients, <c>NAMESPACE/NAME</c> for a gateway).
/// <paramref name="IsTls"/> says the listener terminates TLS (a gateway HTTPS server), which redirects need to know
/// which port is the scheme's default.
/// </summary>
internal sealed record RouteContext(ProxyNode Proxy, PushContext Push, int ListenerPort, string Gateway = VirtualServiceIndex.Mesh, bool IsTls = false)
{
    public bool IsGateway => Gateway != VirtualServiceIndex.Mesh;
}
