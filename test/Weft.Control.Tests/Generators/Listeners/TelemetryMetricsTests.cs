using Weft.Control.Generators.Listeners;
using Weft.Control.Model;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Istio.Stats;
using static Weft.Control.Tests.Support.ListenerTestSupport;

namespace Weft.Control.Tests.Generators.Listeners;

/// <summary>
/// Telemetry's metrics as Istio's stats filter: present on every connection manager and TCP chain by default (mesh
/// <c>defaultProviders.metrics: [prometheus]</c>), dropped where all metrics are disabled for that side, and carrying the
/// merged overrides.
/// </summary>
public sealed class TelemetryMetricsTests
{
    private const string Services = AccessLoggingTests.Services;

    [Fact]
    public void By_default_every_connection_manager_and_TCP_chain_has_the_stats_filter_just_before_its_terminal_filter()
    {
        var push = NewPush(Services);
        var listeners = ListenersOf(Sidecar(), push);

        var managers = listeners.SelectMany(Chains).Select(Hcm).OfType<Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager>().ToArray();
        Assert.NotEmpty(managers);
        Assert.All(managers, m =>
        {
            var stats = m.HttpFilters[^2];
            Assert.Equal((TelemetryMetrics.FilterName, Weft.Xds.TypeUrls.IstioStats), (stats.Name, stats.TypedConfig.TypeUrl));
            Assert.Single(m.HttpFilters, f => f.Name == TelemetryMetrics.FilterName);
        });

        var tcpChains = listeners.SelectMany(Chains).Where(c => Tcp(c) is not null).ToArray();
        Assert.NotEmpty(tcpChains);
        Assert.All(tcpChains, c => Assert.Equal(TelemetryMetrics.FilterName, c.Filters[^2].Name));

        // Inbound never takes destination_service from the Host header; outbound does.
        Assert.All(listeners, l => Assert.All(Configs(l), c => Assert.Equal(l.TrafficDirection == TrafficDirection.Inbound, c.DisableHostHeaderFallback)));
        Assert.Contains(listeners, l => l.TrafficDirection == TrafficDirection.Inbound && Configs(l).Any());
    }

    [Fact]
    public void Without_a_metrics_provider_there_is_no_stats_filter()
    {
        var push = NewPush(Services, MeshConfig.Default with { DefaultProviders = new DefaultProviders() });

        Assert.All(ListenersOf(Sidecar(), push), l => Assert.Empty(Configs(l)));
    }

    [Theory]
    [InlineData("{match: {metric: ALL_METRICS, mode: CLIENT_AND_SERVER}, disabled: true}", false, false)]
    [InlineData("{match: {metric: ALL_METRICS}, disabled: true}", false, false)]
    [InlineData("{disabled: true}", false, false)]
    [InlineData("{match: {metric: ALL_METRICS, mode: SERVER}, disabled: true}", true, false)]
    [InlineData("{match: {metric: ALL_METRICS, mode: CLIENT}, disabled: true}", false, true)]
    [InlineData("{match: {metric: REQUEST_COUNT}, disabled: true}", true, true)]
    public void Disabling_all_metrics_for_a_side_drops_that_sides_filter(string overrideYaml, bool client, bool server)
    {
        var push = NewPush(Services + Telemetry("istio-system", "mesh", $"metrics: [{{providers: [{{name: prometheus}}], overrides: [{overrideYaml}]}}]"));
        var listeners = ListenersOf(Sidecar(), push);

        Assert.Equal(client, listeners.Where(l => l.TrafficDirection != TrafficDirection.Inbound).SelectMany(Configs).Any());
        Assert.Equal(server, listeners.Where(l => l.TrafficDirection == TrafficDirection.Inbound).SelectMany(Configs).Any());
    }

    [Fact]
    public void Overrides_merge_by_level_and_metric_into_drops_removed_tags_dimensions_and_the_reporting_interval()
    {
        var push = NewPush(Services
            + Telemetry("istio-system", "mesh", """
                metrics:
                - providers: [{name: prometheus}]
                  overrides:
                  - {match: {metric: ALL_METRICS, mode: CLIENT}, disabled: true}
                  - match: {metric: REQUEST_COUNT}
                    tagOverrides: {destination_canonical_service: {operation: REMOVE}}
                """)
            + Telemetry("default", "ns", """
                metrics:
                - reportingInterval: 10s
                  overrides:
                  - match: {metric: REQUEST_COUNT, mode: CLIENT}
                    tagOverrides: {request_host: {value: request.host}}
                  - match: {metric: TCP_SENT_BYTES}
                    disabled: true
                  - match: {customMetric: my_metric}
                    tagOverrides: {a: {value: "'b'"}}
                """));
        var listeners = ListenersOf(Sidecar(), push);

        // The namespace's client override brings back the client side that the mesh-wide resource turned off.
        var outbound = Assert.Single(listeners.Where(l => l.TrafficDirection != TrafficDirection.Inbound).SelectMany(Configs).Distinct());
        Assert.Equal(TimeSpan.FromSeconds(10), outbound.TcpReportingDuration.ToTimeSpan());
        // Ordered by the Telemetry API's names (upper-case enum names before custom ones), as istiod orders them.
        Assert.Equal(["requests_total", "tcp_sent_bytes_total", "my_metric"], outbound.Metrics.Select(m => m.Name));
        var requests = outbound.Metrics[0];
        Assert.Equal(["destination_canonical_service"], requests.TagsToRemove);
        Assert.Equal(("request.host", false), (requests.Dimensions["request_host"], requests.Drop));
        Assert.True(outbound.Metrics[1].Drop);
        Assert.Equal("'b'", outbound.Metrics[2].Dimensions["a"]);

        var inbound = Assert.Single(listeners.Where(l => l.TrafficDirection == TrafficDirection.Inbound).SelectMany(Configs).Distinct());
        Assert.Equal(["requests_total", "tcp_sent_bytes_total", "my_metric"], inbound.Metrics.Select(m => m.Name));
        Assert.Empty(inbound.Metrics[0].Dimensions);
        Assert.Equal(["destination_canonical_service"], inbound.Metrics[0].TagsToRemove);
    }

    [Fact]
    public void A_gateway_never_falls_back_to_the_Host_header_and_a_provider_that_is_not_Prometheus_adds_nothing()
    {
        const string gateway = """
            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: istio-system}
            spec:
              selector: {istio: ingressgateway}
              servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
            """;
        var push = NewPush(Services + "\n" + gateway);
        var listeners = ListenersOf(Router(), push);
        Assert.NotEmpty(listeners.SelectMany(Configs));
        Assert.All(listeners.SelectMany(Configs), c => Assert.True(c.DisableHostHeaderFallback));

        var other = NewPush(Services + "\n" + gateway + Telemetry("istio-system", "mesh", "metrics: [{providers: [{name: stackdriver}]}]"));
        Assert.Empty(ListenersOf(Router(), other).SelectMany(Configs));
    }

    private static string Telemetry(string ns, string name, string spec) =>
        $"\n---\napiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n"
        + string.Join('\n', spec.Split('\n').Select(line => "  " + line)) + "\n";

    private static IEnumerable<FilterChain> Chains(Listener listener) =>
        listener.DefaultFilterChain is { } fallback ? listener.FilterChains.Append(fallback) : listener.FilterChains;

    /// <summary>Every stats filter configuration of a listener, in its connection managers and TCP chains.</summary>
    private static IEnumerable<PluginConfig> Configs(Listener listener) =>
        Chains(listener).SelectMany(c => c.Filters.Where(f => f.Name == TelemetryMetrics.FilterName).Select(f => f.TypedConfig.Unpack<PluginConfig>())
            .Concat(Hcm(c) is { } hcm ? hcm.HttpFilters.Where(f => f.Name == TelemetryMetrics.FilterName).Select(f => f.TypedConfig.Unpack<PluginConfig>()) : []));
}
