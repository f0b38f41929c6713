using Weft.Control.Config;
using Weft.Control.Generators;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Control.Tests.Support;
using Weft.Control.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Tests.Push;

/// <summary>
/// Proxies of one class share what is generated for them, and nothing of one proxy leaks into another's configuration:
/// a sidecar's shared sets equal what it would get generated alone, proxies whose labels matter are apart, and a
/// routing-only change keeps the clusters and endpoints proxies hold.
/// </summary>
public sealed class SharedGenerationTests
{
    private static readonly GeneratorSet Generators = GeneratorSet.Default;

    private const string SourceLabelRoute = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: product-catalog, namespace: default}
        spec:
          hosts: [product-catalog.default.svc.cluster.local]
          http:
          - match: [{sourceLabels: {app: tester}}]
            route: [{destination: {host: product-catalog.default.svc.cluster.local, subset: v2}}]
          - route: [{destination: {host: product-catalog.default.svc.cluster.local, subset: v1}}]
        """;

    [Fact]
    public void Sidecars_of_one_namespace_get_the_same_shared_sets_and_what_each_would_get_alone()
    {
        var mesh = TestMesh.FromYaml(Canary.Service, Canary.Subsets, Canary.Split(90, 10));
        var names = new NameSet.Table();
        var a = mesh.Sidecar(name: "a", ip: "10.1.0.1", labels: new Dictionary<string, string> { ["app"] = "a" });
        var b = mesh.Sidecar(name: "b", ip: "10.1.0.2", labels: new Dictionary<string, string> { ["app"] = "b" });
        Assert.Equal(mesh.Push.ClassOf(a), mesh.Push.ClassOf(b));

        var routeNames = names.Intern(["8080"]);
        var routesA = Generators.For(TypeUrls.RouteConfiguration)!.GenerateSet(a, mesh.Push, routeNames);
        var routesB = Generators.For(TypeUrls.RouteConfiguration)!.GenerateSet(b, mesh.Push, names.Intern(["8080"]));
        Assert.Same(routesA, routesB);

        var edsNames = names.Intern([ResourceNames.OutboundCluster(8080, Canary.Host, "v1"), ResourceNames.OutboundCluster(8080, Canary.Host, "v2")]);
        Assert.Same(
            Generators.For(TypeUrls.ClusterLoadAssignment)!.GenerateSet(a, mesh.Push, edsNames),
            Generators.For(TypeUrls.ClusterLoadAssignment)!.GenerateSet(b, mesh.Push, edsNames));

        foreach (var type in Generators.Types)
        {
            var subscription = type is TypeUrls.RouteConfiguration ? routeNames : type is TypeUrls.ClusterLoadAssignment ? edsNames : null;
            foreach (var proxy in new[] { a, b })
            {
                var shared = Generators.For(type)!.GenerateSet(proxy, mesh.Push, subscription).Resources;
                var alone = Generators.For(type)!.Generate(proxy, mesh.Push, subscription?.ToHashSet());
                Assert.Equal(alone.Select(r => (r.Name, r.Version)), shared.Select(r => (r.Name, r.Version)));
            }
        }
    }

    [Fact]
    public void Outbound_clusters_are_shared_and_inbound_clusters_are_each_sidecars_own()
    {
        var mesh = TestMesh.FromYaml(Canary.Service, Canary.Subsets);
        var v1 = mesh.Sidecar(name: "product-catalog-v1", ip: "127.0.0.1");
        var v2 = mesh.Sidecar(name: "product-catalog-v2", ip: "127.0.0.1");
        var clusters = Generators.For(TypeUrls.Cluster)!;
        var setV1 = clusters.GenerateSet(v1, mesh.Push, null);
        var setV2 = clusters.GenerateSet(v2, mesh.Push, null);

        var outbound = ResourceNames.OutboundCluster(8080, Canary.Host, "v1");
        Assert.True(setV1.TryGet(outbound, out var fromV1));
        Assert.True(setV2.TryGet(outbound, out var fromV2));
        Assert.Same(fromV1, fromV2);

        var inboundV1 = setV1.Resources.Where(r => r.Name.StartsWith("inbound|", StringComparison.Ordinal)).Select(r => r.Name).ToArray();
        var inboundV2 = setV2.Resources.Where(r => r.Name.StartsWith("inbound|", StringComparison.Ordinal)).Select(r => r.Name).ToArray();
        Assert.Equal(["inbound|18081||"], inboundV1);
        Assert.Equal(["inbound|18082||"], inboundV2);
        Assert.NotEqual(setV1.Version, setV2.Version);
    }

    [Fact]
    public void When_a_VirtualService_matches_source_labels_sidecars_with_other_labels_get_other_routes()
    {
        var mesh = TestMesh.FromYaml(Canary.Service, Canary.Subsets, SourceLabelRoute);
        var tester = mesh.Sidecar(name: "tester", ip: "10.1.0.1", labels: new Dictionary<string, string> { ["app"] = "tester" });
        var other = mesh.Sidecar(name: "other", ip: "10.1.0.2", labels: new Dictionary<string, string> { ["app"] = "other" });
        Assert.True(mesh.Push.LabelsMatter);
        Assert.NotEqual(mesh.Push.ClassOf(tester), mesh.Push.ClassOf(other));

        var routeNames = new NameSet.Table().Intern(["8080"]);
        var routes = Generators.For(TypeUrls.RouteConfiguration)!;
        // For the tester the match is a catch-all (its source labels hold), so the routes after it are dropped, as in Istio.
        Assert.Equal(["outbound|8080|v2|" + Canary.Host], Clusters(routes.GenerateSet(tester, mesh.Push, routeNames)));
        Assert.Equal(["outbound|8080|v1|" + Canary.Host], Clusters(routes.GenerateSet(other, mesh.Push, routeNames)));
    }

    [Fact]
    public void Without_source_labels_labels_do_not_split_a_namespace_into_classes()
    {
        var mesh = TestMesh.FromYaml(Canary.Service, Canary.Subsets, Canary.Split(90, 10));
        Assert.False(mesh.Push.LabelsMatter);
        Assert.Equal(
            mesh.Push.ClassOf(mesh.Sidecar(name: "x", labels: new Dictionary<string, string> { ["app"] = "x" })),
            mesh.Push.ClassOf(mesh.Sidecar(name: "y", labels: new Dictionary<string, string> { ["app"] = "y" })));
        Assert.NotEqual(mesh.Push.ClassOf(mesh.Sidecar(ns: "default")), mesh.Push.ClassOf(mesh.Sidecar(ns: "other")));
    }

    [Fact]
    public void A_routing_change_keeps_the_clusters_and_endpoints_sets_and_a_service_change_does_not()
    {
        var store = new ConfigStore();
        store.Apply(Canary.Files().Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)).ToArray());
        var first = new PushContext(store.Current, LocalRegistry.Build(store.Current), MeshConfig.Default, 1, "1");
        var proxy = Proxy(first);
        var edsNames = new NameSet.Table().Intern([ResourceNames.OutboundCluster(8080, Canary.Host, "v1")]);
        var clusters1 = Generators.For(TypeUrls.Cluster)!.GenerateSet(proxy, first, null);
        var endpoints1 = Generators.For(TypeUrls.ClusterLoadAssignment)!.GenerateSet(proxy, first, edsNames);
        var routes1 = Generators.For(TypeUrls.RouteConfiguration)!.GenerateSet(proxy, first, new NameSet.Table().Intern(["8080"]));

        var routing = store.Apply([new("virtual-service.yaml", Canary.Split(10, 90))]);
        var kinds = routing.Select(k => k.Kind).ToHashSet();
        Assert.Equal(["VirtualService"], kinds);
        var second = new PushContext(store.Current, first.Registry, MeshConfig.Default, 2, "2", first, kinds);
        var clusters2 = Generators.For(TypeUrls.Cluster)!.GenerateSet(Proxy(second), second, null);
        Assert.Equal(clusters1.Version, clusters2.Version);
        Assert.Same(endpoints1, Generators.For(TypeUrls.ClusterLoadAssignment)!.GenerateSet(Proxy(second), second, edsNames));
        var routes2 = Generators.For(TypeUrls.RouteConfiguration)!.GenerateSet(Proxy(second), second, new NameSet.Table().Intern(["8080"]));
        Assert.NotEqual(routes1.Version, routes2.Version);

        var service = store.Apply([new("destination-rule.yaml", Canary.Subsets.Replace("{name: v1, labels: {version: v1}}", "{name: v1, labels: {version: v1}, trafficPolicy: {loadBalancer: {simple: RANDOM}}}"))]);
        var third = new PushContext(store.Current, second.Registry, MeshConfig.Default, 3, "3", second, service.Select(k => k.Kind).ToHashSet());
        var clusters3 = Generators.For(TypeUrls.Cluster)!.GenerateSet(Proxy(third), third, null);
        Assert.NotEqual(clusters2.Version, clusters3.Version);
        Assert.NotSame(endpoints1, Generators.For(TypeUrls.ClusterLoadAssignment)!.GenerateSet(Proxy(third), third, edsNames));
    }

    [Fact]
    public void Equal_subscriptions_are_one_object_whatever_their_order()
    {
        var table = new NameSet.Table();
        var one = table.Intern(["a", "b", "c"]);
        Assert.Same(one, table.Intern(["c", "a", "b", "a"]));
        Assert.NotSame(one, table.Intern(["a", "b"]));
        Assert.Same(NameSet.Empty, table.Intern([]));
        Assert.True(one.SetEquals(["b", "c", "a"]));
    }

    [Fact]
    public void A_set_version_changes_with_any_resource_and_not_otherwise()
    {
        var a = new XdsResource("a", new RouteConfiguration { Name = "a" });
        var b = new XdsResource("b", new RouteConfiguration { Name = "b" });
        var b2 = new XdsResource("b", new RouteConfiguration { Name = "b", ValidateClusters = true });
        Assert.Equal(new ResourceSet([a, b]).Version, new ResourceSet([a, new XdsResource("b", new RouteConfiguration { Name = "b" })]).Version);
        Assert.NotEqual(new ResourceSet([a, b]).Version, new ResourceSet([a, b2]).Version);
        Assert.NotEqual(new ResourceSet([a, b]).Version, new ResourceSet([a]).Version);

        var joined = ResourceSet.Concat(new ResourceSet([a]), new ResourceSet([b]));
        Assert.Equal(["a", "b"], joined.Resources.Select(r => r.Name));
        Assert.True(joined.Holds(b) && !joined.Holds(b2));
        Assert.Equal(joined.Version, ResourceSet.Concat(new ResourceSet([a]), new ResourceSet([b])).Version);
    }

    private static ProxyNode Proxy(PushContext push)
    {
        var node = new Weft.Xds.Envoy.Config.Core.V3.Node { Id = "sidecar~10.1.0.1~client.default~default.svc.cluster.local" };
        return ProxyNode.Parse(node, push.Registry, out var error) ?? throw new InvalidOperationException(error);
    }

    private static string[] Clusters(ResourceSet routes) =>
        routes.Resources.Select(r => (RouteConfiguration)r.Message)
            .SelectMany(c => c.VirtualHosts)
            .Where(v => v.Name.StartsWith(Canary.Host, StringComparison.Ordinal))
            .SelectMany(v => v.Routes)
            .Select(r => r.Route_.Cluster)
            .ToArray();
}
