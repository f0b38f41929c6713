namespace Weft.Control.Tests.Support;

/// <summary>The canary setup of the README as test input: a service, two versions, subsets and a weighted split.</summary>
internal static class Canary
{
    public const string Host = "product-catalog.default.svc.cluster.local";

    public const string Service = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: product-catalog, namespace: default}
        spec:
          hosts: [product-catalog.default.svc.cluster.local]
          location: MESH_INTERNAL
          ports: [{number: 8080, name: http, protocol: HTTP}]
          resolution: STATIC
          workloadSelector: {labels: {app: product-catalog}}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: product-catalog-v1, namespace: default}
        spec: {address: 127.0.0.1, ports: {http: 18081}, labels: {app: product-catalog, version: v1}, serviceAccount: product-catalog}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: product-catalog-v2, namespace: default}
        spec: {address: 127.0.0.1, ports: {http: 18082}, labels: {app: product-catalog, version: v2}, serviceAccount: product-catalog}
        """;

    public const string Subsets = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: product-catalog, namespace: default}
        spec:
          host: product-catalog.default.svc.cluster.local
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """;

    public static string Split(int v1, int v2) => $$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: product-catalog, namespace: default}
        spec:
          hosts: [product-catalog.default.svc.cluster.local]
          http:
          - route:
            - {destination: {host: product-catalog.default.svc.cluster.local, subset: v1}, weight: {{v1}}}
            - {destination: {host: product-catalog.default.svc.cluster.local, subset: v2}, weight: {{v2}}}
        """;

    public static Dictionary<string, string> Files(int v1 = 90, int v2 = 10) => new()
    {
        ["service.yaml"] = Service,
        ["destination-rule.yaml"] = Subsets,
        ["virtual-service.yaml"] = Split(v1, v2),
    };
}
