using Weft.Control.Config;
using Weft.Control.Generators.Routes;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Tests.Support;

/// <summary>Builds a push from YAML and the Envoy routes a proxy would get from it.</summary>
internal static class RouteTestSupport
{
    /// <summary>
    /// A push holding the resources of <paramref name="yaml"/>; fails the test, quoting the findings, when any resource
    /// is rejected, so a typo in test YAML does not pass silently as "no routes".
    /// </summary>
    public static PushContext PushOf(string yaml, MeshConfig? mesh = null, bool allowRejections = false)
    {
        var store = new ConfigStore();
        store.Apply([new("test.yaml", yaml)]);
        var snapshot = store.Current;
        if (!allowRejections && snapshot.Rejections.Count > 0)
        {
            var messages = snapshot.Rejections.SelectMany(r => r.Errors.Select(e => $"{r.Key}: {e.FieldPath} {e.Message}"));
            throw new InvalidOperationException("test YAML was rejected:\n" + string.Join('\n', messages));
        }

        return new PushContext(snapshot, LocalRegistry.Build(snapshot), mesh ?? MeshConfig.Default, 1, "1");
    }

    public static ProxyNode Sidecar(string ns = "default", IReadOnlyDictionary<string, string>? labels = null, bool proxyless = false) => new()
    {
        Id = $"sidecar~10.1.1.1~app.{ns}~{ns}.svc.cluster.local",
        Type = ProxyType.Sidecar,
        IpAddresses = ["10.1.1.1"],
        WorkloadName = "app",
        Namespace = ns,
        DnsDomain = $"{ns}.svc.cluster.local",
        Labels = labels ?? new Dictionary<string, string>(),
        IsProxylessGrpc = proxyless,
    };

    /// <summary>The routes of the VirtualService <paramref name="vsName"/> for a sidecar's listener on <paramref name="port"/>.</summary>
    public static IReadOnlyList<Route> RoutesFor(PushContext push, string vsName, int port, ProxyNode? proxy = null, string gateway = VirtualServiceIndex.Mesh)
    {
        var vs = push.VirtualServices.All.Single(v => v.Name == vsName);
        return HttpRouteBuilder.Build(new RouteContext(proxy ?? Sidecar(), push, port, gateway), vs);
    }

    /// <summary>The one route of <paramref name="vsName"/> (port 80 by default); fails when there is not exactly one.</summary>
    public static Route Single(string yaml, string vsName = "vs", int port = 80, ProxyNode? proxy = null) =>
        Assert.Single(RoutesFor(PushOf(yaml), vsName, port, proxy));

    /// <summary>The full route configuration a sidecar would be sent for <paramref name="name"/> (a port, or HOST:PORT).</summary>
    public static RouteConfiguration Configuration(PushContext push, string name, ProxyNode? proxy = null) =>
        RouteGenerator.Build(proxy ?? Sidecar(), push, name) ?? throw new InvalidOperationException($"no route configuration {name}");

    /// <summary>A Kubernetes Service with HTTP ports, so VirtualService destinations resolve to a known service.</summary>
    public static string Service(string name, string ns = "default", string ip = "10.0.0.10", params int[] ports)
    {
        var portLines = string.Join('\n', (ports.Length == 0 ? [80] : ports).Select(p => $"  - name: http-{p}\n    port: {p}"));
        return $"""
            apiVersion: v1
            kind: Service
            metadata:
              name: {name}
              namespace: {ns}
            spec:
              clusterIP: {ip}
              ports:
            {portLines}
            ---

            """;
    }
}
