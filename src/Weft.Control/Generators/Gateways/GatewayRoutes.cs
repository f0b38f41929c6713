using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Generators.Gateways;

/// <summary>The route configurations a gateway's listeners name (<c>http.PORT</c>, <c>https.PORT.NAME.GW.NS</c>).</summary>
internal static class GatewayRoutes
{
    public static RouteConfiguration? Build(ProxyNode proxy, PushContext push, string name)
    {
        _ = proxy;
        _ = push;
        _ = name;
        return null;
    }
}
