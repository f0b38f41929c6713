using System.Net;
using Weft.Proxy.Tests.Support;

namespace Weft.Proxy.Tests.Functional;

/// <summary>
/// Istio's Telemetry API end to end: a Telemetry resource in the control plane's directory, translated by
/// <c>weft control</c> into access logs with a CEL filter and stats filter overrides, honoured by a real proxy.
/// </summary>
public sealed class TelemetryApiTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("weft-telemetry-").FullName;

    [Fact]
    public async Task A_mesh_wide_Telemetry_logs_only_failed_requests_to_its_provider_and_labels_requests_by_path()
    {
        var path = Path.Combine(_directory, "errors.log");
        var meshConfig = Weft.Control.Model.MeshConfigReader.Read($$"""
            extensionProviders:
            - name: errors
              envoyFileAccessLog:
                path: {{path}}
                logFormat: {text: "%RESPONSE_CODE% %REQ(:AUTHORITY)% %REQ(:PATH)%"}
            """, "mesh.yaml");
        await using var mesh = await CanaryMesh.StartAsync(startPlane: false, meshConfig: meshConfig);
        mesh.Write("telemetry.yaml", """
            apiVersion: telemetry.istio.io/v1
            kind: Telemetry
            metadata: {name: mesh-default, namespace: istio-system}
            spec:
              accessLogging:
              - providers: [{name: errors}]
                filter: {expression: "response.code >= 400"}
              metrics:
              - providers: [{name: prometheus}]
                overrides:
                - match: {metric: REQUEST_COUNT, mode: CLIENT}
                  tagOverrides:
                    request_path: {value: request.url_path}
                    source_principal: {operation: REMOVE}
            """);
        await mesh.StartPlaneAsync("127.0.0.1:0");
        await using var proxy = await RunningProxy.StartAsync(mesh.XdsAddress);

        using (var served = await proxy.GetAsync(CanaryMesh.Host, "/products?page=2"))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        // A host the mesh does not know goes to PassthroughCluster (ALLOW_ANY), where nothing answers.
        int failed;
        using (var unknown = await proxy.GetAsync("nowhere.default.svc.cluster.local:8080", "/missing"))
        {
            failed = (int)unknown.StatusCode;
            Assert.True(failed >= 400, $"expected a failure, got {failed}");
        }

        await proxy.Host.Telemetry.Metrics.RequestsRecorded.WhenAtLeastAsync(2).WaitAsync(Generous);
        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(Generous);
        Assert.Equal([$"{failed} nowhere.default.svc.cluster.local:8080 /missing"], await File.ReadAllLinesAsync(path));

        var scrape = await PrometheusScrape.GetAsync(proxy.Admin);
        var served200 = Assert.Single(scrape.Find("istio_requests_total", ("response_code", "200")));
        Assert.Equal("/products", served200.Label("request_path"));
        Assert.DoesNotContain("source_principal", served200.LabelNames);
        Assert.Equal("request_path", served200.LabelNames.Last());
        // The histograms keep Istio's labels: the override named REQUEST_COUNT only.
        Assert.Contains("source_principal", scrape.Find("istio_request_duration_milliseconds_count").First().LabelNames);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
