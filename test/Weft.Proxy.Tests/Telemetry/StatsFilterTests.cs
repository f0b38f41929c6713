using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Istio.Stats;

namespace Weft.Proxy.Tests.Telemetry;

/// <summary>
/// Istio's stats filter through a real proxy: requests and connections count in the standard metrics only where their
/// connection manager or TCP chain has the filter, and its overrides drop metrics, remove labels and set labels from CEL
/// expressions as istio/proxy's filter does.
/// </summary>
public sealed class StatsFilterTests
{
    [Fact]
    public async Task A_connection_manager_without_the_stats_filter_counts_its_requests_in_no_standard_metric()
    {
        await using var backend = await Backend.StartAsync("backend");
        var resources = OneCluster.Resources(OneCluster.Cluster(), [backend]).ToList();
        resources.Add(Listener(8081, stats: null));
        resources.Add(Routes("8081", "svc", "c"));
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        // First through the manager without the filter, then through the one with it.
        using (var unseen = await proxy.GetAsync("svc:8081"))
        {
            unseen.EnsureSuccessStatusCode();
        }

        using (var seen = await proxy.GetAsync(OneCluster.Authority))
        {
            seen.EnsureSuccessStatusCode();
        }

        await OneCluster.EventuallyAsync(() => proxy.Host.Telemetry.Metrics.RequestsRecorded.Value >= 1, "the request through the stats filter to be recorded");
        var scrape = await PrometheusScrape.GetAsync(proxy.Admin);
        var requests = Assert.Single(scrape.Find("istio_requests_total"));
        Assert.Equal((OneCluster.Authority, 1.0), (requests.Label("destination_service"), requests.Value));
    }

    [Fact]
    public async Task Overrides_drop_a_metric_remove_labels_and_set_labels_from_expressions()
    {
        await using var backend = await Backend.StartAsync("backend");
        var config = new PluginConfig
        {
            Metrics =
            {
                new MetricConfig { Name = "request_bytes", Drop = true },
                new MetricConfig { TagsToRemove = { "source_principal", "not_a_standard_label" } },
                new MetricConfig
                {
                    Name = "requests_total",
                    Dimensions =
                    {
                        ["request_host"] = "request.host",
                        ["method"] = "request.method",
                        ["destination_service"] = "'fixed'",
                        ["missing_header"] = "request.headers['x-absent']",
                        ["response_flags"] = "request.headers[",
                        ["broken"] = ")(",
                    },
                },
            },
        };
        var resources = OneCluster.Resources(OneCluster.Cluster(), [backend]).Skip(1).Prepend(Listener(8080, config));
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using (var response = await proxy.GetAsync(OneCluster.Authority))
        {
            response.EnsureSuccessStatusCode();
        }

        await OneCluster.EventuallyAsync(() => proxy.Host.Telemetry.Metrics.RequestsRecorded.Value >= 1, "the request to be recorded");
        var scrape = await PrometheusScrape.GetAsync(proxy.Admin);
        Assert.Empty(scrape.Find("istio_request_bytes_count"));
        Assert.Single(scrape.Find("istio_request_duration_milliseconds_count"));

        // Every metric lost source_principal; requests_total also lost response_flags (its expression does not parse),
        // took its destination_service from an expression, and gained labels after the standard ones, in name order.
        var responses = Assert.Single(scrape.Find("istio_response_bytes_count"));
        Assert.DoesNotContain("source_principal", responses.LabelNames);
        Assert.Contains("response_flags", responses.LabelNames);
        Assert.Equal(OneCluster.Authority, responses.Label("destination_service"));

        var requests = Assert.Single(scrape.Find("istio_requests_total"));
        Assert.DoesNotContain("source_principal", requests.LabelNames);
        Assert.DoesNotContain("response_flags", requests.LabelNames);
        Assert.DoesNotContain("broken", requests.LabelNames);
        Assert.Equal(["method", "missing_header", "request_host"], requests.LabelNames.TakeLast(3));
        Assert.Equal(("fixed", "GET", OneCluster.Authority, "unknown"),
            (requests.Label("destination_service"), requests.Label("method"), requests.Label("request_host"), requests.Label("missing_header")));
        Assert.Equal(1, requests.Value);
    }

    [Fact]
    public async Task Requests_whose_shaped_labels_come_out_equal_are_one_series()
    {
        await using var backend = await Backend.StartAsync("backend", respond: context =>
        {
            context.Response.StatusCode = context.Request.Path == "/missing" ? 404 : 200;
            return Task.CompletedTask;
        });
        var config = new PluginConfig { Metrics = { new MetricConfig { TagsToRemove = { "response_code" } } } };
        var resources = OneCluster.Resources(OneCluster.Cluster(), [backend]).Skip(1).Prepend(Listener(8080, config));
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using (var found = await proxy.GetAsync(OneCluster.Authority))
        {
            found.EnsureSuccessStatusCode();
        }

        using (var missing = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/missing") { Headers = { Host = OneCluster.Authority } }))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        await OneCluster.EventuallyAsync(() => proxy.Host.Telemetry.Metrics.RequestsRecorded.Value >= 2, "both requests to be recorded");
        var scrape = await PrometheusScrape.GetAsync(proxy.Admin);
        Assert.Equal(2, Assert.Single(scrape.Find("istio_requests_total")).Value);
        Assert.Equal(2, Assert.Single(scrape.Find("istio_request_duration_milliseconds_count")).Value);
    }

    [Fact]
    public async Task A_TCP_chain_without_the_stats_filter_counts_its_connections_in_no_standard_metric()
    {
        await using var echo = TcpBackend.Echo("echo");
        var resources = Tcp.TcpProxyTests.Mesh(XdsResources.ToCluster("db"), ("db", echo)).ToList();
        var unseen = XdsResources.TcpListener("240.0.0.2", 3306, XdsResources.ToCluster("db"));
        unseen.FilterChains[0].Filters.RemoveAt(0);
        resources.Add(unseen);
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        foreach (var service in new[] { "240.0.0.2:3306", "240.0.0.1:3306" })
        {
            using var client = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, service);
            await client.SendAsync("ping");
            Assert.Equal("ping", await client.ReadAsync(4));
            client.ShutdownSend();
            Assert.Equal(string.Empty, await client.ReadToEndAsync());
        }

        await OneCluster.EventuallyAsync(() => proxy.Host.Telemetry.Metrics.TcpConnectionsOpened.Value >= 1, "the connection through the stats filter to be counted");
        var scrape = await PrometheusScrape.GetAsync(proxy.Admin);
        Assert.Equal(1, Assert.Single(scrape.Find("istio_tcp_connections_opened_total")).Value);
    }

    /// <summary>An outbound HTTP listener like <see cref="XdsResources.HttpListener(int, string?)"/> with the given stats filter, or none.</summary>
    private static Listener Listener(int port, PluginConfig? stats)
    {
        var listener = XdsResources.HttpListener(port);
        var chain = listener.FilterChains[0];
        var hcm = chain.Filters[0].TypedConfig.Unpack<HttpConnectionManager>();
        hcm.HttpFilters.Remove(hcm.HttpFilters.Single(f => f.Name == "istio.stats"));
        if (stats is not null)
        {
            hcm.HttpFilters.Insert(hcm.HttpFilters.Count - 1, new HttpFilter { Name = "istio.stats", TypedConfig = Any.Pack(stats) });
        }

        chain.Filters[0] = XdsResources.ConnectionManagerFilter(hcm);
        return listener;
    }

    private static IMessage Routes(string name, string domain, string cluster) => new RouteConfiguration
    {
        Name = name,
        IgnorePortInHostMatching = true,
        VirtualHosts = { new VirtualHost { Name = domain, Domains = { domain }, Routes = { new Route { Match = new RouteMatch { Prefix = "/" }, Route_ = new RouteAction { Cluster = cluster, Timeout = new Duration() } } } } },
    };
}
