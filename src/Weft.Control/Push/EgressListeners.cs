using Weft.Api.Model.Networking;
using Weft.Control.Model;
using Weft.Control.Registry;

namespace Weft.Control.Push;

/// <summary>
/// The egress listeners of a proxy's Sidecar scope, as Istio's sidecar scope computes them: each listener imports the
/// visible services whose host its <c>hosts</c> patterns match (a listener with a port keeps only services with that
/// port) and the mesh VirtualServices whose hosts they match. Results depend on the Sidecar and the proxy's namespace
/// only, so they are shared by every proxy of a push with the same pair.
/// </summary>
public static class EgressListeners
{
    private static readonly IstioEgressListener CatchAll = new() { Hosts = ["*/*"] };

    public static IReadOnlyList<EgressListenerScope> For(ProxyNode proxy, PushContext push)
    {
        var scope = push.SidecarScope(proxy);
        return push.Cached(("egress-listeners", scope.Sidecar?.Key, proxy.Namespace), () =>
        {
            var listeners = scope.Spec?.Egress is { Count: > 0 } egress ? egress : [CatchAll];
            return (IReadOnlyList<EgressListenerScope>)listeners.Select(l => Build(l, scope, proxy.Namespace, push)).ToArray();
        });
    }

    /// <summary>
    /// The egress listener whose routes a route configuration serves (Istio's GetEgressListenerForRDS): the first
    /// listener declaring <paramref name="port"/> (for a unix socket, port 0, the one whose bind is the route name), else
    /// the first catch-all; null when neither exists.
    /// </summary>
    public static EgressListenerScope? ForRoute(ProxyNode proxy, PushContext push, int port, string routeName)
    {
        foreach (var listener in For(proxy, push))
        {
            if (listener.IsCatchAll)
            {
                return listener;
            }

            if (listener.Port == port && (port != 0 || listener.Listener!.Bind == routeName))
            {
                return listener;
            }
        }

        return null;
    }

    private static EgressListenerScope Build(IstioEgressListener listener, SidecarScope scope, string ns, PushContext push)
    {
        var patterns = listener.Hosts ?? [];
        var port = (int)(listener.Port?.Number ?? 0);
        var byHost = new Dictionary<string, MeshService>(StringComparer.OrdinalIgnoreCase);
        foreach (var service in push.Registry.Services)
        {
            if (!push.IsVisible(service, ns)
                || (port != 0 && service.Port(port) is null)
                || !patterns.Any(p => scope.Imports(p, service.Hostname, service.Namespace)))
            {
                continue;
            }

            // One service per host: the one declared in the proxy's namespace wins, else the first imported.
            if (!byHost.TryGetValue(service.Hostname, out var existing) || (existing.Namespace != ns && service.Namespace == ns))
            {
                byHost[service.Hostname] = service;
            }
        }

        var services = byHost.Values.OrderBy(s => s.Hostname, StringComparer.Ordinal).ToArray();
        var virtualServices = push.VirtualServices.For(VirtualServiceIndex.Mesh, ns, push.Mesh)
            .Where(vs => vs.Hosts.Any(h => patterns.Any(p => scope.ImportsVirtualServiceHost(p, h, vs.Namespace))))
            .ToArray();
        return new EgressListenerScope(ReferenceEquals(listener, CatchAll) ? null : listener, services, virtualServices);
    }
}
