using Weft.Xds;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// Hand-written configuration for the simulation tables: Kubernetes Services with cluster IPs and WorkloadEntries behind
/// them, and one VirtualService per routing feature (each on its own host, so a row depends on one feature only).
/// </summary>
internal static class ShopMesh
{
    /// <summary><c>NAME.NAMESPACE.svc.cluster.local</c>.</summary>
    public static string Fqdn(string name, string ns = "default") => $"{name}.{ns}.svc.cluster.local";

    /// <summary><c>outbound|PORT|SUBSET|FQDN</c>.</summary>
    public static string Cluster(string name, int port = 80, string subset = "", string ns = "default") =>
        ResourceNames.OutboundCluster(port, Fqdn(name, ns), subset);

    public static string Vhost(string name, int port = 80, string ns = "default") => $"{Fqdn(name, ns)}:{port}";

    public static string Service(string name, string ip, string ns = "default", int port = 80, string portName = "http", string annotations = "{}") => $$"""
        apiVersion: v1
        kind: Service
        metadata: {name: {{name}}, namespace: {{ns}}, annotations: {{annotations}}}
        spec:
          clusterIP: {{ip}}
          selector: {app: {{name}}}
          ports: [{name: {{portName}}, port: {{port}}}]
        """;

    public static string Workload(string name, string app, string ip, string ns = "default", string version = "v1") => $$"""
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: {{name}}, namespace: {{ns}}}
        spec: {address: {{ip}}, labels: {app: {{app}}, version: {{version}}}, serviceAccount: {{app}}}
        """;

    /// <summary>A VirtualService in <c>default</c> for one host, with the given <c>http</c> routes (YAML flow sequence items).</summary>
    public static string Routes(string host, params string[] http) => $$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: {{host}}, namespace: default}
        spec:
          hosts: [{{host}}]
          http:
        {{string.Concat(http.Select(h => $"  - {h}\n"))}}
        """;

    /// <summary>Backends <c>a</c> and <c>b</c>, the front services each routing feature is tried on, and their routes.</summary>
    public static string[] Files =>
    [
        Service("a", "10.0.0.1"), Workload("a-1", "a", "10.1.1.1"),
        Service("b", "10.0.0.2"), Workload("b-1", "b", "10.1.2.1"),
        Service("versions", "10.0.0.3"), Workload("versions-1", "versions", "10.1.3.1"), Workload("versions-2", "versions", "10.1.3.2", version: "v2"),
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: versions, namespace: default}
        spec:
          host: versions
          subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
        """,
        Service("paths", "10.0.0.10"),
        Routes("paths",
            "{name: exact, match: [{uri: {exact: /exact}}], route: [{destination: {host: a}}]}",
            "{name: prefix, match: [{uri: {prefix: /pre}}], route: [{destination: {host: b}}]}"),
        Service("nocase", "10.0.0.11"),
        Routes("nocase", "{name: admin, match: [{uri: {prefix: /Admin}, ignoreUriCase: true}], route: [{destination: {host: a}}]}"),
        Service("regex", "10.0.0.12"),
        Routes("regex", "{name: items, match: [{uri: {regex: '/items/[0-9]+'}}], route: [{destination: {host: a}}]}"),
        Service("headers", "10.0.0.13"),
        Routes("headers",
            "{name: jason, match: [{headers: {end-user: {exact: jason}}}], route: [{destination: {host: b}}]}",
            "{name: beta, match: [{headers: {x-version: {prefix: '2.'}}}], route: [{destination: {host: b}}]}",
            "{name: others, route: [{destination: {host: a}}]}"),
        Service("without", "10.0.0.14"),
        Routes("without",
            "{name: not-stable, match: [{withoutHeaders: {x-stable: {exact: '1'}}}], route: [{destination: {host: b}}]}",
            "{name: stable, route: [{destination: {host: a}}]}"),
        Service("query", "10.0.0.15"),
        Routes("query",
            "{name: reviews-tab, match: [{queryParams: {tab: {exact: reviews}}}], route: [{destination: {host: b}}]}",
            "{name: rest, route: [{destination: {host: a}}]}"),
        Service("methods", "10.0.0.16"),
        Routes("methods",
            "{name: writes, match: [{method: {exact: POST}}], route: [{destination: {host: b}}]}",
            "{name: reads, route: [{destination: {host: a}}]}"),
        Service("split", "10.0.0.17"),
        Routes("split", "{name: ninety-ten, route: [{destination: {host: a}, weight: 90}, {destination: {host: b}, weight: 10}]}"),
        Service("moved", "10.0.0.18"),
        Routes("moved", "{name: old, match: [{uri: {exact: /old}}], redirect: {uri: /new, authority: new.example.com}}"),
        Service("maintenance", "10.0.0.19"),
        Routes("maintenance", "{name: down, directResponse: {status: 503, body: {string: down for maintenance}}}"),
        Routes("versions",
            "{name: to-v3, match: [{uri: {prefix: /v3}}], route: [{destination: {host: versions, subset: v3}}]}",
            "{name: to-v1, route: [{destination: {host: versions, subset: v1}}]}"),
        Service("gateways", "10.0.0.22"),
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: gateways, namespace: default}
        spec:
          hosts: [gateways]
          gateways: [mesh, istio-system/edge]
          http:
          - {name: at-the-edge, match: [{gateways: [istio-system/edge]}], route: [{destination: {host: b}}]}
          - {name: in-the-mesh, route: [{destination: {host: a}}]}
        """,
        Service("sources", "10.0.0.23"),
        Routes("sources",
            "{name: from-v1, match: [{sourceLabels: {version: v1}}], route: [{destination: {host: b}}]}",
            "{name: from-others, route: [{destination: {host: a}}]}"),
        """
        apiVersion: v1
        kind: Service
        metadata: {name: ports, namespace: default}
        spec:
          clusterIP: 10.0.0.24
          selector: {app: ports}
          ports: [{name: http, port: 80}, {name: http-alt, port: 8080}]
        """,
        Routes("ports",
            "{name: on-8080, match: [{port: 8080}], route: [{destination: {host: b}}]}",
            "{name: on-any-port, route: [{destination: {host: a}}]}"),
        Service("db", "10.0.0.20", port: 5432, portName: "tcp-postgres"),
        Service("api", "10.0.0.21", port: 9080), Workload("api-1", "api", "10.1.5.1"),
        Service("catalog", "10.0.1.1", ns: "shop"), Workload("catalog-1", "catalog", "10.1.4.1", ns: "shop"),
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: catalog-internal, namespace: shop}
        spec:
          hosts: [catalog]
          exportTo: [.]
          http: [{name: shop-only, route: [{destination: {host: catalog}}]}]
        """,
        Service("vault-api", "10.0.2.1", ns: "vault", annotations: "{networking.istio.io/exportTo: '.'}"),
        Service("kafka", "None", port: 9092, portName: "tcp"), Workload("kafka-0", "kafka", "10.1.6.1"),
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: mongo-range, namespace: default}
        spec:
          hosts: [mongo.internal]
          addresses: [192.168.100.0/24]
          location: MESH_INTERNAL
          ports: [{number: 27017, name: mongo, protocol: TCP}]
          resolution: NONE
        """,
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: external-tls, namespace: default}
        spec:
          hosts: [api.one.example, api.two.example]
          location: MESH_EXTERNAL
          ports: [{number: 443, name: tls, protocol: TLS}]
          resolution: DNS
        """,
    ];

    /// <summary>
    /// The same mesh with a Sidecar in namespace <c>bound</c> whose egress listener binds 127.0.0.1:9080 for real
    /// (<c>captureMode: NONE</c>) and imports only <c>api</c>.
    /// </summary>
    public static string[] WithBoundEgressListener =>
    [
        .. Files,
        """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: bound}
        spec:
          egress:
          - port: {number: 9080, protocol: HTTP, name: http}
            bind: 127.0.0.1
            captureMode: NONE
            hosts: [default/api.default.svc.cluster.local]
        """,
    ];

    /// <summary>The same mesh with a Sidecar in <c>default</c> that only imports its own namespace.</summary>
    public static string[] WithNamespaceOnlySidecar =>
    [
        .. Files,
        """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: default}
        spec:
          egress: [{hosts: [./*]}]
        """,
    ];
}
