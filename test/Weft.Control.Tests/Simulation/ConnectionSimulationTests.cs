using Weft.Control.Model;
using Weft.Control.Tests.Support;
using static Weft.Control.Tests.Simulation.ShopMesh;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// Where connections land before any HTTP routing: TCP services on their cluster IP, ports no service uses, opaque bytes on
/// an HTTP port, TLS by server name, a sidecar without traffic capture, and a gateway's bound listener.
/// </summary>
public sealed class ConnectionSimulationTests
{
    private static readonly Lazy<TestMesh> Mesh = new(() => TestMesh.FromYaml(Files));
    private static readonly Lazy<TestMesh> RegistryOnly = new(() => TestMesh.FromYaml(MeshConfig.Default with { AllowAny = false }, Files));
    private static readonly Lazy<TestMesh> Bound = new(() => TestMesh.FromYaml(WithBoundEgressListener));
    private static readonly Lazy<TestMesh> Gateway = new(() => TestMesh.FromYaml([.. Files, IngressGateway]));

    private const string IngressGateway = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: shop-gateway, namespace: istio-system}
        spec:
          selector: {istio: ingressgateway}
          servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: shop-entry, namespace: default}
        spec:
          hosts: ['shop.example.com']
          gateways: [istio-system/shop-gateway]
          http: [{name: to-a, route: [{destination: {host: a.default.svc.cluster.local}}]}]
        """;

    private static readonly (SimulationCase Case, Lazy<TestMesh> Mesh)[] Cases =
    [
        (new("TCP to a service's cluster IP reaches its tcp_proxy cluster", Call.Tcp("10.0.0.20", 5432),
            new Expect { Listener = "10.0.0.20_5432", Cluster = Cluster("db", 5432) }), Mesh),
        (new("HTTP to a TCP service's port is proxied as TCP", Call.Http("db:5432", "/") with { Address = "10.0.0.20" },
            new Expect { Listener = "10.0.0.20_5432", Cluster = Cluster("db", 5432) }), Mesh),
        (new("TCP into a service's CIDR reaches the service", Call.Tcp("192.168.100.7", 27017),
            new Expect { Listener = "0.0.0.0_27017", Cluster = ResourceCluster(27017, "mongo.internal"), Endpoints = ["192.168.100.7:27017"] }), Mesh),
        (new("TCP outside a service's CIDR is passed through", Call.Tcp("10.9.9.9", 27017),
            new Expect { Listener = "0.0.0.0_27017", FilterChain = "PassthroughFilterChain", Cluster = "PassthroughCluster" }), Mesh),
        (new("TCP to a headless service's endpoint reaches the service", Call.Tcp("10.1.6.1", 9092),
            new Expect { Listener = "10.1.6.1_9092", Cluster = Cluster("kafka", 9092) }), Mesh),
        (new("TCP to another address on a headless service's port is passed through", Call.Tcp("10.9.9.9", 9092),
            new Expect { Listener = "virtualOutbound", Cluster = "PassthroughCluster" }), Mesh),
        (new("TCP to another address on that port is passed through by virtualOutbound", Call.Tcp("10.9.9.9", 5432),
            new Expect { Listener = "virtualOutbound", FilterChain = "virtualOutbound-catchall-tcp", Cluster = "PassthroughCluster", Endpoints = ["10.9.9.9:5432"] }), Mesh),
        (new("TCP to a port no service uses is passed through (ALLOW_ANY)", Call.Tcp("203.0.113.9", 9999),
            new Expect { Listener = "virtualOutbound", FilterChain = "virtualOutbound-catchall-tcp", Cluster = "PassthroughCluster" }), Mesh),
        (new("TCP to a port no service uses is dropped (REGISTRY_ONLY)", Call.Tcp("203.0.113.9", 9999),
            new Expect { Listener = "virtualOutbound", FilterChain = "virtualOutbound-catchall-tcp", Cluster = "BlackHoleCluster" }), RegistryOnly),
        (new("a connection to 15001 itself is black-holed (loop guard)", Call.Tcp("10.1.0.1", 15001),
            new Expect { Listener = "virtualOutbound", FilterChain = "virtualOutbound-blackhole", Cluster = "BlackHoleCluster" }), Mesh),
        (new("HTTP to a port no service uses is passed through as TCP", Call.Http("203.0.113.9:8888", "/"),
            new Expect { Listener = "virtualOutbound", FilterChain = "virtualOutbound-catchall-tcp", Cluster = "PassthroughCluster" }), Mesh),
        (new("opaque TCP to an HTTP port takes the listener's passthrough chain", Call.Tcp(Call.AnyAddress, 80),
            new Expect { Listener = "0.0.0.0_80", FilterChain = "PassthroughFilterChain", Cluster = "PassthroughCluster" }), Mesh),
        (new("TLS: the server name picks the external host's cluster", Call.Tls("api.two.example", 443),
            new Expect { Listener = "0.0.0.0_443", Cluster = ResourceCluster(443, "api.two.example") }), Mesh),
        (new("TLS: an unknown server name is passed through", Call.Tls("elsewhere.example", 443),
            new Expect { Listener = "0.0.0.0_443", FilterChain = "PassthroughFilterChain", Cluster = "PassthroughCluster" }), Mesh),
        (new("without capture, HTTP goes to the bound 127.0.0.1 listener", Call.Http("a", "/") with { Address = "127.0.0.1" },
            new Expect { Listener = "127.0.0.1_80", VirtualHost = Vhost("a"), Cluster = Cluster("a") }) { Proxy = m => m.Sidecar(interceptionMode: "NONE") }, Mesh),
        (new("without capture, a port with no listener refuses the connection", Call.Tcp("127.0.0.1", 9999),
            new Expect { Failure = Failure.NoListener }) { Proxy = m => m.Sidecar(interceptionMode: "NONE") }, Mesh),
        (new("a Sidecar egress listener binds its address: 127.0.0.1:9080 reaches the service it imports", Call.Http("api.default:9080", "/") with { Address = "127.0.0.1" },
            new Expect { Listener = "127.0.0.1_9080", RouteConfig = "9080", VirtualHost = Vhost("api", 9080), Cluster = Cluster("api", 9080), Endpoints = ["10.1.5.1:9080"] })
            { Proxy = m => m.Sidecar("bound")  }, Bound),
        (new("a gateway routes its server's hosts to the mesh", Call.Http("shop.example.com", "/") with { Address = "10.1.0.3" },
            new Expect { Listener = "0.0.0.0_80", RouteConfig = "http.80", VirtualHost = "shop.example.com:80", Route = "to-a", Cluster = Cluster("a") })
            { Proxy = m => m.Router(new Dictionary<string, string> { ["istio"] = "ingressgateway" })  }, Gateway),
        (new("a gateway answers hosts it does not serve with 404", Call.Http("other.example.com", "/") with { Address = "10.1.0.3" },
            new Expect { Listener = "0.0.0.0_80", RouteConfig = "http.80", Failure = Failure.NoRoute })
            { Proxy = m => m.Router(new Dictionary<string, string> { ["istio"] = "ingressgateway" })  }, Gateway),
    ];

    public static TheoryData<string> Names => new(Cases.Select(c => c.Case.Name));

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void Connection_lands_where_Istio_sends_it(string name)
    {
        var (row, mesh) = Cases.Single(c => c.Case.Name == name);
        row.Run(mesh.Value);
    }

    private static string ResourceCluster(int port, string host) => Weft.Xds.ResourceNames.OutboundCluster(port, host);
}
