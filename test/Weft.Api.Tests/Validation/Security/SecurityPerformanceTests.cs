using System.Diagnostics;
using Weft.Api.Model;
using Xunit.Abstractions;

namespace Weft.Api.Tests.Validation.Security;

[CollectionDefinition(nameof(SecurityPerformanceTests), DisableParallelization = true)]
public sealed class SecurityPerformanceCollection;

/// <summary>
/// Validation cost of these kinds. Runs alone and measures the process's CPU time, so other tests and other
/// processes on a shared machine do not count against it.
/// </summary>
[Collection(nameof(SecurityPerformanceTests))]
public sealed class SecurityPerformanceTests(ITestOutputHelper output)
{
    private static readonly string[] Samples =
    [
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: p, namespace: ns}
        spec:
          action: DENY
          selector: {matchLabels: {app: a, version: v1}}
          rules:
          - from:
            - source: {principals: [cluster.local/ns/a/sa/b], ipBlocks: [10.0.0.0/8, 1.2.3.4], namespaces: [x]}
            to:
            - operation: {methods: [GET, POST], paths: ['/api/{*}/items/{**}'], ports: ['8080', '9090']}
            when:
            - {key: 'request.headers[x-user]', values: [a, b]}
            - {key: source.ip, notValues: [192.168.0.0/16, '::1']}
            - {key: destination.port, values: ['443']}
        """,
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: r, namespace: ns}
        spec:
          selector: {matchLabels: {app: a}}
          jwtRules:
          - issuer: https://issuer.example.com
            jwksUri: https://issuer.example.com:8443/.well-known/jwks.json
            audiences: [a, b]
            fromHeaders: [{name: authorization, prefix: 'Bearer '}]
            outputClaimToHeaders: [{header: x-sub, claim: sub}]
            timeout: 5s
          - issuer: other
            jwks: '{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}'
        """,
        """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: p, namespace: ns}
        spec:
          selector: {matchLabels: {app: a}}
          mtls: {mode: STRICT}
          portLevelMtls: {'8080': {mode: DISABLE}, '9090': {mode: PERMISSIVE}}
        """,
        """
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata: {name: t, namespace: ns}
        spec:
          tracing:
          - providers: [{name: otel}]
            randomSamplingPercentage: 10
            customTags: {cluster: {environment: {name: CLUSTER_ID}}, user: {header: {name: x-user}}}
          metrics:
          - providers: [{name: prometheus}]
            overrides:
            - match: {metric: REQUEST_COUNT, mode: CLIENT}
              tagOverrides: {request_host: {operation: UPSERT, value: request.host}, x: {operation: REMOVE}}
          accessLogging:
          - providers: [{name: envoy}]
            filter: {expression: "response.code >= 400 && request.headers['x-debug'] == 'true'"}
        """,
        """
        apiVersion: extensions.istio.io/v1alpha1
        kind: WasmPlugin
        metadata: {name: w, namespace: ns}
        spec:
          selector: {matchLabels: {app: a}}
          url: oci://ghcr.io/org/plugin:1.0
          sha256: 01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b
          phase: AUTHN
          vmConfig: {env: [{name: A, value: a}, {name: POD, valueFrom: HOST}]}
          match: [{mode: SERVER, ports: [{number: 8080}]}]
        """,
    ];

    [Fact]
    public void Ten_thousand_resources_validate_quickly()
    {
        var resources = Samples.Select(SecurityValidation.Decode).ToList();
        void RunAll(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var context = SecurityValidation.Run(resources[i % resources.Count]);
                Assert.False(context.HasErrors, context.Describe());
            }
        }

        RunAll(1000);
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        RunAll(10_000);
        watch.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        output.WriteLine($"10,000 security/telemetry/extension resources validated in {cpu.TotalMilliseconds:F0} ms CPU ({watch.ElapsedMilliseconds} ms wall)");

        // The budget for all kinds together is 0.5 s; these samples are heavy (every one with inline JWKS, a CEL
        // filter, CIDRs and templates) and must stay well inside it.
        Assert.True(cpu.TotalMilliseconds < 250, $"{cpu.TotalMilliseconds:F0} ms CPU");
    }
}
