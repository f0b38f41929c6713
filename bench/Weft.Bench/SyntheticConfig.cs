using System.Globalization;
using System.Text;

namespace Weft.Bench;

/// <summary>
/// A large, valid mesh configuration for load and validation benchmarks: per service a ServiceEntry, a
/// DestinationRule with subsets and policies, a VirtualService with matches, retries and a weighted split, and
/// every tenth service an AuthorizationPolicy. Deterministic for a given count.
/// </summary>
public static class SyntheticConfig
{
    /// <summary>YAML with exactly <paramref name="resources"/> documents.</summary>
    public static string Generate(int resources)
    {
        var sb = new StringBuilder(resources * 600);
        var written = 0;
        for (var i = 0; written < resources; i++)
        {
            var ns = "ns" + (i % 20).ToString(CultureInfo.InvariantCulture);
            var host = $"svc{i}.{ns}.svc.cluster.local";
            Append(sb, ref written, resources, ServiceEntry(i, ns, host));
            Append(sb, ref written, resources, DestinationRule(i, ns, host));
            Append(sb, ref written, resources, VirtualService(i, ns, host));
            if (i % 10 == 0)
            {
                Append(sb, ref written, resources, AuthorizationPolicy(i, ns));
            }
        }

        return sb.ToString();
    }

    private static void Append(StringBuilder sb, ref int written, int limit, string document)
    {
        if (written < limit)
        {
            sb.Append("---\n").Append(document);
            written++;
        }
    }

    private static string ServiceEntry(int i, string ns, string host) => $"""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: svc{i}
          namespace: {ns}
        spec:
          hosts:
          - {host}
          addresses:
          - 10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}
          ports:
          - number: 8080
            name: http
            protocol: HTTP
          - number: 9090
            name: grpc-api
            protocol: GRPC
          location: MESH_INTERNAL
          resolution: STATIC
          endpoints:
          - address: 192.168.{i % 256}.1
            labels:
              version: v1
          - address: 192.168.{i % 256}.2
            labels:
              version: v2

        """;

    private static string DestinationRule(int i, string ns, string host) => $"""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: svc{i}
          namespace: {ns}
        spec:
          host: {host}
          trafficPolicy:
            connectionPool:
              tcp:
                maxConnections: 100
                connectTimeout: 3s
              http:
                http2MaxRequests: 1000
                maxRequestsPerConnection: 10
            outlierDetection:
              consecutive5xxErrors: 5
              interval: 10s
              baseEjectionTime: 30s
              maxEjectionPercent: 50
            loadBalancer:
              simple: LEAST_REQUEST
          subsets:
          - name: v1
            labels:
              version: v1
          - name: v2
            labels:
              version: v2
            trafficPolicy:
              loadBalancer:
                consistentHash:
                  httpHeaderName: x-user

        """;

    private static string VirtualService(int i, string ns, string host) => $"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: svc{i}
          namespace: {ns}
        spec:
          hosts:
          - {host}
          http:
          - name: canary-testers
            match:
            - headers:
                x-canary:
                  exact: "true"
              uri:
                prefix: /api/
            route:
            - destination:
                host: {host}
                subset: v2
            timeout: 2s
          - name: split
            route:
            - destination:
                host: {host}
                subset: v1
              weight: 90
            - destination:
                host: {host}
                subset: v2
              weight: 10
            retries:
              attempts: 3
              perTryTimeout: 500ms
              retryOn: 5xx,connect-failure,refused-stream
            fault:
              delay:
                percentage:
                  value: 0.1
                fixedDelay: 1s

        """;

    private static string AuthorizationPolicy(int i, string ns) => $"""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: svc{i}-allow
          namespace: {ns}
        spec:
          selector:
            matchLabels:
              app: svc{i}
          action: ALLOW
          rules:
          - from:
            - source:
                principals:
                - cluster.local/ns/{ns}/sa/frontend
            to:
            - operation:
                methods:
                - GET
                paths:
                - /api/*
            when:
            - key: request.headers[x-tenant]
              values:
              - acme

        """;
}
