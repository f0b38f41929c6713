using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// A sidecar's listeners, in Istio's order: the per-port outbound listeners, <c>virtualOutbound</c> (15001, which hands
/// captured connections to them), then the inbound ones (<c>virtualInbound</c> on 15006 and any that bind a port of
/// their own). A proxy without interception (<c>INTERCEPTION_MODE: NONE</c>) has no virtual listeners: its outbound
/// listeners bind 127.0.0.1 for real and its inbound ones are only those its Sidecar's <c>ingress</c> declares.
/// </summary>
internal static class SidecarListeners
{
    public static IEnumerable<Listener> Build(ProxyNode proxy, PushContext push) => Outbound(proxy, push).Concat(Inbound(proxy, push));

    /// <summary>The per-port outbound listeners and <c>virtualOutbound</c>: the same for every proxy of a class and IP family.</summary>
    public static IEnumerable<Listener> Outbound(ProxyNode proxy, PushContext push)
    {
        foreach (var listener in OutboundListeners.Build(proxy, push))
        {
            yield return listener;
        }

        if (!ProxyAddresses.NoInterception(proxy))
        {
            var policy = push.SidecarScope(proxy).OutboundPolicy(push.Mesh);
            yield return VirtualOutboundListener.Build(proxy, push.Mesh, policy, ProxyAddresses.For(proxy));
        }
    }

    /// <summary><c>virtualInbound</c> and the listeners of the Sidecar's ingress: the proxy's own.</summary>
    public static IEnumerable<Listener> Inbound(ProxyNode proxy, PushContext push) => InboundListeners.Build(proxy, push);
}
