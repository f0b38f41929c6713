using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Proxy.Tests.Admin;

/// <summary>The admin, health and stats ports, as Envoy's and istio-agent's users call them.</summary>
public sealed class AdminTests
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false });

    [Fact]
    public async Task Before_a_complete_configuration_it_is_not_ready_and_says_why()
    {
        await using var proxy = await RunningProxy.StartAsync($"127.0.0.1:{Ports.Refusing()}", waitReady: false);

        using var ready = await Http.GetAsync(new Uri(proxy.Admin, "/ready"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("INITIALIZING\n", await ready.Content.ReadAsStringAsync());

        var health = await Eventually(async () =>
        {
            using var response = await Http.GetAsync(new Uri(proxy.Health, "/healthz/ready"));
            var body = await response.Content.ReadAsStringAsync();
            return body.Contains("cannot reach the control plane", StringComparison.Ordinal) ? (response.StatusCode, body) : ((HttpStatusCode, string)?)null;
        });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Item1);
        Assert.StartsWith("not ready: no clusters (CDS) yet; no listeners (LDS) yet; cannot reach the control plane at 127.0.0.1:", health.Item2);

        // Requests meanwhile get a clear answer instead of a hang.
        using var early = await proxy.GetAsync("svc:8080");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
        Assert.StartsWith("weft proxy has no complete configuration yet", await early.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Once_configured_it_is_live_and_shows_what_it_serves()
    {
        await using var backend = await Backend.StartAsync("a");
        var config = new RouteConfiguration { Name = "8080", VirtualHosts = { new VirtualHost { Name = "svc:8080", Domains = { "svc" }, Routes = { new Route { Match = new RouteMatch { Prefix = "/" }, Route_ = new RouteAction { Cluster = "a", Timeout = new Duration() } } } } } };
        await using var plane = await ScriptedControlPlane.StartAsync([XdsResources.HttpListener(8080), config, XdsResources.EdsCluster("a"), XdsResources.Assignment("a", ("127.0.0.1", backend.Port))]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        Assert.Equal("LIVE\n", await Http.GetStringAsync(new Uri(proxy.Admin, "/ready")));
        using var health = await Http.GetAsync(new Uri(proxy.Health, "/healthz/ready"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        Assert.Equal("0.0.0.0_8080::0.0.0.0:8080\n", await Http.GetStringAsync(new Uri(proxy.Admin, "/listeners")));
        using var listeners = JsonDocument.Parse(await Http.GetStringAsync(new Uri(proxy.Admin, "/listeners?format=json")));
        Assert.Equal(8080, listeners.RootElement.GetProperty("listener_statuses")[0].GetProperty("local_address").GetProperty("socket_address").GetProperty("port_value").GetInt32());

        var clusters = await Http.GetStringAsync(new Uri(proxy.Admin, "/clusters"));
        Assert.Contains($"a::127.0.0.1:{backend.Port}::health_flags::healthy\n", clusters);
        Assert.Contains($"a::127.0.0.1:{backend.Port}::weight::1\n", clusters);
        using var clustersJson = JsonDocument.Parse(await Http.GetStringAsync(new Uri(proxy.Admin, "/clusters?format=json")));
        var host = clustersJson.RootElement.GetProperty("cluster_statuses")[0].GetProperty("host_statuses")[0];
        Assert.Equal(backend.Port, host.GetProperty("address").GetProperty("socket_address").GetProperty("port_value").GetInt32());
        Assert.Equal("HEALTHY", host.GetProperty("health_status").GetProperty("eds_health_status").GetString());

        using var dump = JsonDocument.Parse(await Http.GetStringAsync(new Uri(proxy.Admin, "/config_dump")));
        var configs = dump.RootElement.GetProperty("configs").EnumerateArray().ToDictionary(c => c.GetProperty("@type").GetString()!);
        var active = configs["type.googleapis.com/envoy.admin.v3.ClustersConfigDump"].GetProperty("dynamic_active_clusters")[0];
        Assert.Equal("a", active.GetProperty("cluster").GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(active.GetProperty("version_info").GetString()));
        Assert.Equal("8080", configs["type.googleapis.com/envoy.admin.v3.RoutesConfigDump"].GetProperty("dynamic_route_configs")[0].GetProperty("route_config").GetProperty("name").GetString());
        Assert.Equal("0.0.0.0_8080", configs["type.googleapis.com/envoy.admin.v3.ListenersConfigDump"].GetProperty("dynamic_listeners")[0].GetProperty("active_state").GetProperty("listener").GetProperty("name").GetString());
        Assert.Equal("a", configs["type.googleapis.com/envoy.admin.v3.EndpointsConfigDump"].GetProperty("dynamic_endpoint_configs")[0].GetProperty("endpoint_config").GetProperty("cluster_name").GetString());

        // Istio's merged metrics port serves Prometheus text (the metrics themselves are tested in Telemetry/).
        using var stats = await Http.GetAsync($"http://{proxy.Host.StatsEndpoint}/stats/prometheus");
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", stats.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task Quitquitquit_stops_the_proxy_and_wants_POST()
    {
        await using var proxy = await RunningProxy.StartAsync($"127.0.0.1:{Ports.Refusing()}", waitReady: false);
        using var get = await Http.GetAsync(new Uri(proxy.Admin, "/quitquitquit"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.False(proxy.Host.Completion.IsCompleted);

        using var post = await Http.PostAsync(new Uri(proxy.Admin, "/quitquitquit"), null);
        Assert.Equal("OK\n", await post.Content.ReadAsStringAsync());
        await proxy.Host.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Http.GetAsync(new Uri(proxy.Admin, "/ready")));
    }

    private static async Task<T> Eventually<T>(Func<Task<T?>> probe)
        where T : struct
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(20, timeout.Token);
        }
    }
}
