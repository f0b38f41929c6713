using Weft.Proxy.Telemetry.Metrics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Weft.Proxy.Http;
using Weft.Proxy.Tests.Support;

namespace Weft.Proxy.Tests.Telemetry;

/// <summary>
/// Istio's standard metrics as a Prometheus server scrapes them from a real proxy: requests through its listeners to real
/// backends, then <c>/stats/prometheus</c> over HTTP on the stats port (and the admin port), parsed.
/// </summary>
public sealed class MetricsTests
{
    /// <summary>Istio's label set for HTTP metrics, in the order its stats filter emits them.</summary>
    private static readonly string[] IstioHttpLabels =
    [
        "reporter", "source_workload", "source_canonical_service", "source_canonical_revision", "source_workload_namespace",
        "source_principal", "source_app", "source_version", "source_cluster", "destination_workload", "destination_workload_namespace",
        "destination_principal", "destination_app", "destination_version", "destination_service", "destination_canonical_service",
        "destination_canonical_revision", "destination_service_name", "destination_service_namespace", "destination_cluster",
        "request_protocol", "response_code", "grpc_response_status", "response_flags", "connection_security_policy",
    ];

    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private static readonly Dictionary<string, string> ClientLabels = new() { ["app"] = "storefront", ["version"] = "v3" };

    [Fact]
    public async Task The_client_side_counts_requests_to_a_plain_backend_by_the_endpoints_workload_and_the_clusters_service()
    {
        await using var mesh = await CanaryMesh.StartAsync(startPlane: false);
        mesh.Write("virtual-service.yaml", """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: product-catalog
              namespace: default
            spec:
              hosts: [product-catalog.default.svc.cluster.local]
              http:
              - route:
                - destination: {host: product-catalog.default.svc.cluster.local, subset: v1}
            """);
        await mesh.StartPlaneAsync("127.0.0.1:0");
        await using var proxy = await RunningProxy.StartAsync(mesh.XdsAddress, o => o with { Labels = ClientLabels });

        const int count = 25;
        for (var i = 0; i < count; i++)
        {
            using var response = await proxy.GetAsync(CanaryMesh.Host, "/products");
            Assert.Equal("v1", await response.Content.ReadAsStringAsync());
        }

        await Recorded(proxy, count);
        var scrape = await PrometheusScrape.GetAsync(new Uri($"http://{proxy.Host.StatsEndpoint}"));
        var requests = Assert.Single(scrape.Find("istio_requests_total"));
        Assert.Equal(IstioHttpLabels, requests.LabelNames);
        Assert.Equal(
            [
                "source", "client", "storefront", "v3", "default", "unknown", "storefront", "v3", "Kubernetes",
                "product-catalog-v1", "default", "unknown",

                // A backend without a sidecar says nothing of itself: as in Istio, the endpoint's metadata names its
                // workload, namespace, canonical service and revision, but not its app and version labels.
                "unknown", "unknown",
                "product-catalog.default.svc.cluster.local", "product-catalog", "v1", "product-catalog.default.svc.cluster.local", "default", "Kubernetes",
                "http", "200", string.Empty, "-", "unknown",
            ],
            requests.Labels.Select(l => l.Value));
        Assert.Equal(count, requests.Value);
        Assert.Equal("counter", scrape.Types["istio_requests_total"]);

        foreach (var histogram in new[] { "istio_request_duration_milliseconds", "istio_request_bytes", "istio_response_bytes" })
        {
            Assert.Equal("histogram", scrape.Types[histogram]);
            var buckets = scrape.Find(histogram + "_bucket").ToList();
            Assert.Equal(20, buckets.Count);
            Assert.All(buckets, b => Assert.Equal([.. IstioHttpLabels, "le"], b.LabelNames));
            Assert.Equal(buckets.Select(b => b.Value).Order(), buckets.Select(b => b.Value)); // cumulative
            Assert.Equal("+Inf", buckets[^1].Label("le"));
            Assert.Equal(count, buckets[^1].Value);
            Assert.Equal(count, Assert.Single(scrape.Find(histogram + "_count")).Value);
        }

        // Each response body is "v1"; the GETs carry none.
        Assert.Equal(2 * count, Assert.Single(scrape.Find("istio_response_bytes_sum")).Value);
        Assert.Equal(0, Assert.Single(scrape.Find("istio_request_bytes_sum")).Value);

        // The plain backend gets the client's metadata, as Istio's sidecar sends it to any upstream.
        var received = mesh.V1.Requests.First();
        Assert.Equal(RunningProxy.ClientNode, received.Headers["x-envoy-peer-metadata-id"]);
        Assert.True(received.Headers.ContainsKey("x-envoy-peer-metadata"));

        // The admin port serves the same.
        var admin = await PrometheusScrape.GetAsync(proxy.Admin);
        Assert.Equal(count, Assert.Single(admin.Find("istio_requests_total")).Value);
    }

    [Fact]
    public async Task A_request_without_a_route_is_counted_as_404_NR()
    {
        await using var mesh = await CanaryMesh.StartAsync();
        await using var proxy = await RunningProxy.StartAsync(mesh.XdsAddress);

        using (var response = await proxy.GetAsync("unknown.example:9999"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        await Recorded(proxy, 1);
        var scrape = await PrometheusScrape.GetAsync(new Uri($"http://{proxy.Host.StatsEndpoint}"));
        var requests = Assert.Single(scrape.Find("istio_requests_total"));
        Assert.Equal(IstioHttpLabels, requests.LabelNames);
        Assert.Equal("404", requests.Label("response_code"));
        Assert.Equal("NR", requests.Label("response_flags"));
        Assert.Equal("unknown", requests.Label("destination_workload"));
        Assert.Equal("unknown.example:9999", requests.Label("destination_service"));
        Assert.Equal(1, requests.Value);
    }

    [Fact]
    public async Task Durations_are_measured_on_the_proxys_clock_in_Istios_buckets()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var backend = await Backend.StartAsync("slow", respond: async context =>
        {
            time.Advance(TimeSpan.FromMilliseconds(30));
            await context.Response.WriteAsync("done");
        });
        await using var plane = await ScriptedControlPlane.StartAsync(Canary(backend.Port, backend.Port));
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = time });

        using (var response = await proxy.GetAsync(CanaryMesh.Host))
        {
            Assert.Equal("done", await response.Content.ReadAsStringAsync());
        }

        await Recorded(proxy, 1);
        var scrape = await PrometheusScrape.GetAsync(new Uri($"http://{proxy.Host.StatsEndpoint}"));
        var buckets = scrape.Find("istio_request_duration_milliseconds_bucket").ToDictionary(b => b.Label("le")!, b => b.Value);
        Assert.Equal(0, buckets["25"]);
        Assert.Equal(1, buckets["50"]);
        Assert.Equal(30, Assert.Single(scrape.Find("istio_request_duration_milliseconds_sum")).Value);
    }

    [Fact]
    public async Task The_server_side_reports_as_destination_with_the_clients_workload_and_both_sides_strip_the_exchange()
    {
        await using var workload = await Backend.StartAsync("product-catalog-v1");
        await using var serverPlane = await ScriptedControlPlane.StartAsync(Canary(workload.Port, workload.Port));
        await using var server = await RunningProxy.StartAsync(
            serverPlane.Address,
            o => o with { Labels = new Dictionary<string, string> { ["app"] = "product-catalog", ["version"] = "v1" } },
            nodeId: "sidecar~127.0.0.1~product-catalog-v1.default~default.svc.cluster.local");

        // The client's endpoints are the server proxy's inbound listener, as capture would make them.
        var inbound = server.Host.InboundEndpoint.Port;
        await using var clientPlane = await ScriptedControlPlane.StartAsync(Canary(inbound, inbound));
        await using var client = await RunningProxy.StartAsync(clientPlane.Address, o => o with { Labels = ClientLabels });

        const int count = 3;
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync(CanaryMesh.Host, "/products");
            Assert.Equal("product-catalog-v1", await response.Content.ReadAsStringAsync());
            Assert.False(response.Headers.Contains("x-envoy-peer-metadata"));
            Assert.False(response.Headers.Contains("x-envoy-peer-metadata-id"));
        }

        Assert.All(workload.Requests, r =>
        {
            Assert.False(r.Headers.ContainsKey("x-envoy-peer-metadata"));
            Assert.False(r.Headers.ContainsKey("x-envoy-peer-metadata-id"));
        });

        await Recorded(server, count);
        var serverSide = Assert.Single((await PrometheusScrape.GetAsync(new Uri($"http://{server.Host.StatsEndpoint}"))).Find("istio_requests_total"));
        Assert.Equal(IstioHttpLabels, serverSide.LabelNames);
        Assert.Equal(
            [
                "destination", "client", "storefront", "v3", "default", "unknown", "storefront", "v3", "Kubernetes",
                "product-catalog-v1", "default", "unknown", "product-catalog", "v1",

                // Istio's inbound clusters carry no service metadata: the canonical service stands in.
                "product-catalog", "product-catalog", "v1", "product-catalog", "default", "Kubernetes",
                "http", "200", string.Empty, "-", "none",
            ],
            serverSide.Labels.Select(l => l.Value));
        Assert.Equal(count, serverSide.Value);

        await Recorded(client, count);
        var clientSide = Assert.Single((await PrometheusScrape.GetAsync(new Uri($"http://{client.Host.StatsEndpoint}"))).Find("istio_requests_total"));
        Assert.Equal("source", clientSide.Label("reporter"));
        Assert.Equal("product-catalog-v1", clientSide.Label("destination_workload"));

        // The server's own metadata, not the endpoint's, so its app and version are known.
        Assert.Equal("product-catalog", clientSide.Label("destination_app"));
        Assert.Equal("v1", clientSide.Label("destination_version"));
        Assert.Equal("v1", clientSide.Label("destination_canonical_revision"));
        Assert.Equal("product-catalog.default.svc.cluster.local", clientSide.Label("destination_service"));
        Assert.Equal(count, clientSide.Value);
    }

    [Fact]
    public async Task A_Sidecar_ingress_listener_reports_as_destination_and_answers_the_exchange_without_showing_it_to_the_application()
    {
        await using var app = await Backend.StartAsync("backend-v1");
        var ingressPort = Ports.Free();
        var directory = Directory.CreateTempSubdirectory("weft-ingress-mx-").FullName;
        try
        {
            // The server workload's Sidecar binds its ingress port and hands requests to the application, as the
            // benchmark's pair of proxies and a Sidecar with captureMode NONE do; the client reaches it as the service's endpoint.
            File.WriteAllText(Path.Combine(directory, "mesh.yaml"), string.Create(CultureInfo.InvariantCulture, $$$"""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: backend, namespace: default}
                spec:
                  hosts: [backend.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  ports: [{number: 8080, name: http, protocol: HTTP}]
                  resolution: STATIC
                  workloadSelector: {labels: {app: backend}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: backend, namespace: default}
                spec: {address: 127.0.0.1, ports: {http: {{{ingressPort}}}}, labels: {app: backend, version: v1}}
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: backend, namespace: default}
                spec:
                  workloadSelector: {labels: {app: backend}}
                  ingress:
                  - port: {number: {{{ingressPort}}}, protocol: HTTP, name: http}
                    captureMode: NONE
                    bind: 127.0.0.1
                    defaultEndpoint: 127.0.0.1:{{{app.Port}}}
                """));
            await using var plane = await Weft.Control.Hosting.ControlPlane.StartAsync(
                new Weft.Control.Hosting.ControlPlaneOptions { ConfigDirectory = directory, XdsAddress = "127.0.0.1:0", HttpAddress = "127.0.0.1:0" },
                Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
            var xds = plane.XdsEndpoint.ToString();
            await using var server = await RunningProxy.StartAsync(
                xds,
                o => o with { Labels = new Dictionary<string, string> { ["app"] = "backend", ["version"] = "v1" } },
                nodeId: "sidecar~127.0.0.1~backend.default~default.svc.cluster.local");
            var listener = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1_{ingressPort}");
            await server.Host.WaitForBoundListenersAsync(l => l.ContainsKey(listener)).WaitAsync(Generous);
            await using var client = await RunningProxy.StartAsync(xds, o => o with { Labels = ClientLabels });

            const int count = 3;
            for (var i = 0; i < count; i++)
            {
                using var response = await client.GetAsync("backend.default.svc.cluster.local:8080", "/");
                Assert.Equal("backend-v1", await response.Content.ReadAsStringAsync());
                Assert.False(response.Headers.Contains("x-envoy-peer-metadata"));
                Assert.False(response.Headers.Contains("x-envoy-peer-metadata-id"));
            }

            // The server's sidecar took the client's metadata off; it sent none of its own to the application.
            Assert.Equal(count, app.Requests.Count);
            Assert.All(app.Requests, r =>
            {
                Assert.False(r.Headers.ContainsKey("x-envoy-peer-metadata"));
                Assert.False(r.Headers.ContainsKey("x-envoy-peer-metadata-id"));
            });

            await Recorded(server, count);
            var serverSide = Assert.Single((await PrometheusScrape.GetAsync(new Uri($"http://{server.Host.StatsEndpoint}"))).Find("istio_requests_total"));
            Assert.Equal("destination", serverSide.Label("reporter"));
            Assert.Equal("client", serverSide.Label("source_workload"));
            Assert.Equal("default", serverSide.Label("source_workload_namespace"));
            Assert.Equal("storefront", serverSide.Label("source_app"));
            Assert.Equal("v3", serverSide.Label("source_version"));
            Assert.Equal("backend", serverSide.Label("destination_app"));
            Assert.Equal(count, serverSide.Value);

            // The server answered with its own metadata, so the client knows the destination's app and version.
            await Recorded(client, count);
            var clientSide = Assert.Single((await PrometheusScrape.GetAsync(new Uri($"http://{client.Host.StatsEndpoint}"))).Find("istio_requests_total"));
            Assert.Equal("source", clientSide.Label("reporter"));
            Assert.Equal("backend", clientSide.Label("destination_workload"));
            Assert.Equal("backend", clientSide.Label("destination_app"));
            Assert.Equal("v1", clientSide.Label("destination_version"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_TCP_path_reports_connections_and_bytes_through_its_API()
    {
        await using var plane = await ScriptedControlPlane.StartAsync(Canary(18081, 18082));
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Labels = ClientLabels });
        var cluster = proxy.Host.State.Current!.Clusters["outbound|8080|v2|product-catalog.default.svc.cluster.local"];
        var endpoint = cluster.Assignment.Hosts.Single();

        var first = proxy.Host.TcpTelemetry.Opened(ListenerRole.Outbound, cluster.Model, endpoint, StatsConfig.Standard, default);
        var second = proxy.Host.TcpTelemetry.Opened(ListenerRole.Outbound, cluster.Model, endpoint, StatsConfig.Standard, default);
        first.Received(100);
        first.Sent(1000);
        second.Received(5);
        first.Closed();

        var scrape = await PrometheusScrape.GetAsync(new Uri($"http://{proxy.Host.StatsEndpoint}"));
        var tcpLabels = IstioHttpLabels.Where(l => l is not ("response_code" or "grpc_response_status")).ToArray();
        var opened = Assert.Single(scrape.Find("istio_tcp_connections_opened_total"));
        Assert.Equal(tcpLabels, opened.LabelNames);
        Assert.Equal(2, opened.Value);
        Assert.Equal("tcp", opened.Label("request_protocol"));
        Assert.Equal("product-catalog-v2", opened.Label("destination_workload"));
        Assert.Equal("product-catalog.default.svc.cluster.local", opened.Label("destination_service"));
        Assert.Equal(1, Assert.Single(scrape.Find("istio_tcp_connections_closed_total")).Value);
        Assert.Equal(105, Assert.Single(scrape.Find("istio_tcp_received_bytes_total")).Value);
        Assert.Equal(1000, Assert.Single(scrape.Find("istio_tcp_sent_bytes_total")).Value);
        Assert.All(new[] { "istio_tcp_connections_opened_total", "istio_tcp_connections_closed_total", "istio_tcp_received_bytes_total", "istio_tcp_sent_bytes_total" }, m => Assert.Equal("counter", scrape.Types[m]));
    }

    [Fact]
    public async Task The_stats_port_answers_404_off_its_one_path()
    {
        await using var plane = await ScriptedControlPlane.StartAsync(Canary(18081, 18082));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri($"http://{proxy.Host.StatsEndpoint}/metrics"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>The canary's resources as a control plane sends them, with v1 and v2 on the given ports.</summary>
    internal static IReadOnlyList<Google.Protobuf.IMessage> Canary(int v1, int v2) =>
        Golden.Load("canary.workload-entry-v1", json => json
            .Replace("18081", v1.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("18082", v2.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));

    internal static Task Recorded(RunningProxy proxy, long count) =>
        proxy.Host.Telemetry.Metrics.RequestsRecorded.WhenAtLeastAsync(count).WaitAsync(Generous);
}
