using Google.Protobuf.WellKnownTypes;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// LDS. Sidecars get Istio's capture listeners (virtualOutbound, virtualInbound), a listener per outbound port and the
/// explicit listeners of their Sidecar resource; gateways get their servers' listeners; proxyless gRPC clients get an
/// <c>api_listener</c> for each <c>HOST:PORT</c> they name. The listeners of sidecars and gateways get Istio's stats
/// filters from Telemetry's metrics (<see cref="TelemetryMetrics"/>), and access logs from Telemetry's access logging or
/// else mesh <c>accessLogFile</c> (<see cref="AccessLogging"/>).
/// </summary>
public sealed class ListenerGenerator : IXdsGenerator
{
    public string TypeUrl => TypeUrls.Listener;

    public IReadOnlyList<XdsResource> Generate(ProxyNode proxy, PushContext push, IReadOnlySet<string>? names)
    {
        IEnumerable<Listener> listeners = proxy.Type == ProxyType.Router ? Observed(Gateways.GatewayListeners.Build(proxy, push), push, proxy)
            : proxy.IsProxylessGrpc ? ProxylessListeners.Build(proxy, push, names)
            : Observed(SidecarListeners.Build(proxy, push), push, proxy);
        var result = listeners.Select(l => new XdsResource(l.Name, l));
        return names is null || proxy.IsProxylessGrpc ? result.ToArray() : result.Where(r => names.Contains(r.Name)).ToArray();
    }

    /// <summary>
    /// For pushes: a sidecar's outbound listeners and <c>virtualOutbound</c> are shared by its class (and IP family; and its
    /// address when a headless service could have an endpoint there); its inbound listeners are its own.
    /// </summary>
    public ResourceSet GenerateSet(ProxyNode proxy, PushContext push, IReadOnlySet<string>? names)
    {
        if (proxy.Type != ProxyType.Sidecar || proxy.IsProxylessGrpc || names is not null)
        {
            return new ResourceSet(Generate(proxy, push, names));
        }

        var addresses = ProxyAddresses.For(proxy);
        var key = push.ClassOf(proxy) + "|" + addresses.Wildcard + "|" + (push.AnyHeadless && proxy.IpAddresses.Count > 0 ? proxy.IpAddresses[0] : string.Empty);
        var shared = push.Shared(TypeUrl, key, null, () => new ResourceSet(Observed(SidecarListeners.Outbound(proxy, push), push, proxy).Select(l => new XdsResource(l.Name, l)).ToArray()));
        var own = Observed(SidecarListeners.Inbound(proxy, push), push, proxy).Select(l => new XdsResource(l.Name, l)).ToArray();
        return own.Length == 0 ? shared : ResourceSet.Concat(shared, new ResourceSet(own));
    }

    /// <summary>Listeners with the telemetry Istio adds to them: the stats filters of its metrics, then its access logs.</summary>
    private static IEnumerable<Listener> Observed(IEnumerable<Listener> listeners, PushContext push, ProxyNode proxy) =>
        AccessLogging.Apply(TelemetryMetrics.Apply(listeners, push, proxy), push, proxy);
}
