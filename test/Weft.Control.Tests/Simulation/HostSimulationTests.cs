using Weft.Control.Model;
using Weft.Control.Tests.Support;
using static Weft.Control.Tests.Simulation.ShopMesh;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// Which virtual host a Host header reaches: the short names a proxy's namespace allows, other namespaces, services hidden by
/// exportTo or by a Sidecar's egress, and unknown hosts (ALLOW_ANY passes them through, REGISTRY_ONLY answers 502).
/// </summary>
public sealed class HostSimulationTests
{
    private static readonly Lazy<TestMesh> Mesh = new(() => TestMesh.FromYaml(Files));
    private static readonly Lazy<TestMesh> Scoped = new(() => TestMesh.FromYaml(WithNamespaceOnlySidecar));
    private static readonly Lazy<TestMesh> RegistryOnly = new(() => TestMesh.FromYaml(MeshConfig.Default with { AllowAny = false }, Files));

    private static readonly (SimulationCase Case, Lazy<TestMesh> Mesh)[] Cases =
    [
        (Host("the FQDN", "a.default.svc.cluster.local", Vhost("a")), Mesh),
        (Host("the FQDN with a port (the port is ignored)", "a.default.svc.cluster.local:80", Vhost("a")), Mesh),
        (Host("the absolute FQDN (trailing dot)", "a.default.svc.cluster.local.", Vhost("a")), Mesh),
        (Host("NAME from the same namespace", "a", Vhost("a")), Mesh),
        (Host("NAME.NAMESPACE", "a.default", Vhost("a")), Mesh),
        (Host("NAME.NAMESPACE.svc", "a.default.svc", Vhost("a")), Mesh),
        (Host("the service's cluster IP", "10.0.0.1", Vhost("a")), Mesh),
        (Host("host names are case-insensitive", "A.Default", Vhost("a")), Mesh),
        (Host("another namespace's service by NAME.NAMESPACE", "catalog.shop", Vhost("catalog", ns: "shop")), Mesh),
        (Host("another namespace's service by its FQDN", "catalog.shop.svc.cluster.local", Vhost("catalog", ns: "shop")), Mesh),
        (Host("another namespace's service by NAME alone is unknown here", "catalog", "allow_any"), Mesh),
        (Host("from its own namespace NAME alone is enough", "catalog", Vhost("catalog", ns: "shop")) with { Proxy = m => m.Sidecar("shop") }, Mesh),
        (Host("a VirtualService exported to '.' does not route other namespaces", "catalog.shop", Vhost("catalog", ns: "shop")) with
            { Expect = new Expect { VirtualHost = Vhost("catalog", ns: "shop"), Route = "default" } }, Mesh),
        (Host("a VirtualService exported to '.' routes its own namespace", "catalog", Vhost("catalog", ns: "shop")) with
            { Expect = new Expect { VirtualHost = Vhost("catalog", ns: "shop"), Route = "shop-only" }, Proxy = m => m.Sidecar("shop") }, Mesh),
        (Host("exportTo '.' hides a service from other namespaces", "vault-api.vault", "allow_any"), Mesh),
        (Host("exportTo '.' keeps it visible in its own namespace", "vault-api", Vhost("vault-api", ns: "vault")) with { Proxy = m => m.Sidecar("vault") }, Mesh),
        (Host("a Sidecar importing only ./* hides other namespaces", "catalog.shop", "allow_any"), Scoped),
        (Host("a Sidecar importing only ./* keeps its own namespace", "a", Vhost("a")), Scoped),

        (new SimulationCase("ALLOW_ANY: an unknown host is passed through to where it was dialed", Call.Http("unknown.example.com", "/") with { Address = "203.0.113.7" },
            new Expect { VirtualHost = "allow_any", Route = "allow_any", Cluster = "PassthroughCluster", Endpoints = ["203.0.113.7:80"] }), Mesh),
        (new SimulationCase("REGISTRY_ONLY: an unknown host is answered 502 by block_all", Call.Http("unknown.example.com", "/"),
            new Expect { VirtualHost = "block_all", Route = "block_all", Status = 502 }), RegistryOnly),
        (new SimulationCase("REGISTRY_ONLY: known services still route", Call.Http("a", "/"), new Expect { VirtualHost = Vhost("a"), Cluster = Cluster("a") }), RegistryOnly),
    ];

    public static TheoryData<string> Names => new(Cases.Select(c => c.Case.Name));

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void Host_reaches_the_virtual_host_Istio_gives_it(string name)
    {
        var (row, mesh) = Cases.Single(c => c.Case.Name == name);
        row.Run(mesh.Value);
    }

    private static SimulationCase Host(string name, string host, string vhost) =>
        new(name, Call.Http(host, "/"), new Expect { Listener = "0.0.0.0_80", RouteConfig = "80", VirtualHost = vhost });
}
