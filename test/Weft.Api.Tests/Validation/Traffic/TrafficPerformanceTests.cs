using System.Diagnostics;
using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Model;
using Weft.Api.Validation;
using Xunit.Abstractions;

namespace Weft.Api.Tests.Validation.Traffic;

/// <summary>The traffic validators must be cheap: 10,000 realistic resources well under the pipeline's 0.5 s budget.</summary>
public sealed class TrafficPerformanceTests(ITestOutputHelper output)
{
    private const string VirtualService = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          hosts: [reviews.bookinfo.svc.cluster.local, "*.reviews.example.com"]
          gateways: [bookinfo/gateway, mesh]
          exportTo: [".", istio-system]
          http:
          - name: canary
            match:
            - uri: {prefix: /api/v2}
              headers:
                x-user: {exact: tester}
                x-trace: {regex: "[0-9a-f]{16}"}
            - uri: {regex: "/api/v[0-9]+/reviews/.*"}
              queryParams: {debug: {exact: "1"}}
            route:
            - destination: {host: reviews, subset: v2, port: {number: 9080}}
              weight: 90
            - destination: {host: reviews, subset: v3}
              weight: 10
              headers:
                response:
                  set: {x-served-by: "%HOSTNAME%"}
            retries: {attempts: 3, perTryTimeout: 2s, retryOn: "gateway-error,connect-failure,503"}
            timeout: 10s
            corsPolicy:
              allowOrigins: [{exact: "https://example.com"}]
              allowMethods: [GET, POST]
              maxAge: 24h
          - match:
            - uri: {prefix: /}
            route:
            - destination: {host: reviews, subset: v1}
            fault:
              delay: {fixedDelay: 5s, percentage: {value: 0.1}}
          tcp:
          - match: [{port: 27017, destinationSubnets: [10.0.0.0/8]}]
            route: [{destination: {host: mongo}}]
        """;

    private const string DestinationRule = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          host: reviews.bookinfo.svc.cluster.local
          trafficPolicy:
            connectionPool:
              tcp: {maxConnections: 100, connectTimeout: 30ms}
              http: {http2MaxRequests: 1000, maxRequestsPerConnection: 10, idleTimeout: 60s}
            outlierDetection: {consecutive5xxErrors: 7, interval: 5m, baseEjectionTime: 15m}
            loadBalancer:
              simple: LEAST_REQUEST
              localityLbSetting:
                enabled: true
                failover: [{from: us-east, to: us-west}]
            tls: {mode: ISTIO_MUTUAL}
            portLevelSettings:
            - port: {number: 9080}
              loadBalancer: {consistentHash: {httpCookie: {name: user, ttl: 0s}}}
          subsets:
          - name: v1
            labels: {version: v1}
          - name: v2
            labels: {version: v2}
            trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
        """;

    private const string Gateway = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: bookinfo-gateway, namespace: bookinfo}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["*/bookinfo.example.com", "./reviews.example.com"]
            tls: {httpsRedirect: true}
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: [bookinfo.example.com]
            tls: {mode: SIMPLE, credentialName: bookinfo-cert, minProtocolVersion: TLSV1_2}
        """;

    [Fact]
    public void Ten_thousand_resources_validate_quickly()
    {
        var resources = new[] { VirtualService, DestinationRule, Gateway }.Select(Decode).ToArray();
        foreach (var resource in resources)
        {
            var context = Validate(resource);
            Assert.False(context.HasErrors, string.Join("\n", context.Findings));
        }

        // Warm up (and give the JIT time to optimise), then time 10,000 validations.
        for (var i = 0; i < 3000; i++)
        {
            Validate(resources[i % 3]);
        }

        Thread.Sleep(500);
        for (var i = 0; i < 300; i++)
        {
            Validate(resources[i % 3]);
        }

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 10_000; i++)
        {
            Validate(resources[i % 3]);
        }

        watch.Stop();
        foreach (var resource in resources)
        {
            var each = Stopwatch.StartNew();
            for (var i = 0; i < 3_334; i++)
            {
                Validate(resource);
            }

            output.WriteLine($"  {resource.Kind}: {each.Elapsed.TotalMilliseconds:F1} ms for 3,334");
        }

        output.WriteLine($"10,000 traffic resources validated in {watch.Elapsed.TotalMilliseconds:F1} ms");
        // A guard against pathological regressions only: shared CI machines make tight timing asserts flaky.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    private static Resource Decode(string yaml) =>
        ResourceDecoder.Decode((MapNode)YamlReader.Read(yaml, "perf.yaml").Single().Root!, new List<Diagnostic>())!;

    private static ValidationContext Validate(Resource resource)
    {
        var context = new ValidationContext(resource);
        SpecValidators.For(resource.Kind)!.Validate(context);
        return context;
    }
}
