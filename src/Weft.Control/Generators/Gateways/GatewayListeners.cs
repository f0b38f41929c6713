using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Generators.Gateways;

/// <summary>The listeners of a gateway (<c>router~…</c> node): one per server port of the Gateways that select it.</summary>
internal static class GatewayListeners
{
    public static IEnumerable<Listener> Build(ProxyNode proxy, PushContext push)
    {
        _ = proxy;
        _ = push;
        return [];
    }
}
