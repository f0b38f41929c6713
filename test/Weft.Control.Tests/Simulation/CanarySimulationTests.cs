using Weft.Api.Loading;
using Weft.Control.Tests.Support;
using Weft.Xds;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// The canary example (<c>examples/canary/</c>) as its callers see it: a sidecar in <c>default</c>, a proxyless gRPC
/// client, and a sidecar whose node id names a WorkloadEntry.
/// </summary>
public sealed class CanarySimulationTests
{
    private const string Fqdn = "product-catalog.default.svc.cluster.local";
    private const string Target = Fqdn + ":8080";
    private static readonly string V1 = ResourceNames.OutboundCluster(8080, Fqdn, "v1");
    private static readonly string V2 = ResourceNames.OutboundCluster(8080, Fqdn, "v2");
    private static readonly Destination[] Split = [new(V1, 90), new(V2, 10)];

    private static readonly Lazy<TestMesh> Mesh = new(() =>
        TestMesh.FromFiles(ConfigFiles.Read([Path.Combine(IstioCorpus.RepositoryRoot, "examples", "canary")])));

    private static readonly SimulationCase[] Cases =
    [
        new("x-canary: always reaches v2", Call.Http(Target, "/items", ("x-canary", "always")),
            new Expect { Listener = "0.0.0.0_8080", RouteConfig = "8080", VirtualHost = Target, Route = "testers-see-v2", Cluster = V2, Endpoints = ["127.0.0.1:18082"] }),
        new("without x-canary requests are split 90/10", Call.Http(Target, "/items"),
            new Expect { Route = "canary-split", Weighted = Split }),
        new("x-canary with another value is split too", Call.Http(Target, "/items", ("x-canary", "sometimes")),
            new Expect { Route = "canary-split", Weighted = Split }),
        new("the short name product-catalog:8080 reaches the service", Call.Http("product-catalog:8080", "/", ("x-canary", "always")),
            new Expect { VirtualHost = Target, Cluster = V2 }),
        new("product-catalog.default:8080 reaches the service", Call.Http("product-catalog.default:8080", "/", ("x-canary", "always")),
            new Expect { VirtualHost = Target, Cluster = V2 }),
        new("an unknown host on port 8080 is passed through", Call.Http("unknown.example.com:8080", "/"),
            new Expect { Listener = "0.0.0.0_8080", VirtualHost = "allow_any", Cluster = "PassthroughCluster", Endpoints = [$"{Call.AnyAddress}:8080"] }),
        new("a port no service uses is passed through as TCP", Call.Http("product-catalog:9090", "/"),
            new Expect { Listener = "virtualOutbound", FilterChain = "virtualOutbound-catchall-tcp", Cluster = "PassthroughCluster" }),
        new("opaque TCP to port 8080 takes the listener's passthrough chain", Call.Tcp(Call.AnyAddress, 8080),
            new Expect { Listener = "0.0.0.0_8080", FilterChain = "PassthroughFilterChain", Cluster = "PassthroughCluster" }),

        new("proxyless: the dial target's api_listener routes x-canary: always to v2", Call.Grpc(Target, headers: ("x-canary", "always")),
            new Expect { Listener = Target, RouteConfig = ResourceNames.OutboundCluster(8080, Fqdn), VirtualHost = Target, Route = "testers-see-v2", Cluster = V2, Endpoints = ["127.0.0.1:18082"] })
            { Proxy = m => m.Proxyless(), Listeners = [Target] },
        new("proxyless: other calls are split 90/10", Call.Grpc(Target),
            new Expect { Route = "canary-split", Weighted = Split }) { Proxy = m => m.Proxyless(), Listeners = [Target] },
        new("proxyless: a short dial target is a listener of its own", Call.Grpc("product-catalog:8080", headers: ("x-canary", "always")),
            new Expect { Listener = "product-catalog:8080", VirtualHost = Target, Cluster = V2 }) { Proxy = m => m.Proxyless(), Listeners = ["product-catalog:8080"] },
        new("proxyless: a target no service has gets no listener", Call.Grpc("nothing:8080"),
            new Expect { Failure = Failure.NoListener }) { Proxy = m => m.Proxyless(), Listeners = [Target, "nothing:8080"] },

        new("a sidecar named after WorkloadEntry product-catalog-v1 routes like any other", Call.Http("product-catalog:8080", "/", ("x-canary", "always")),
            new Expect { VirtualHost = Target, Route = "testers-see-v2", Cluster = V2 }) { Proxy = m => m.Sidecar(name: "product-catalog-v1", ip: "127.0.0.1") },
    ];

    public static TheoryData<string> Names => new(Cases.Select(c => c.Name));

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void Call_lands_where_Istio_sends_it(string name) => Cases.Single(c => c.Name == name).Run(Mesh.Value);
}
