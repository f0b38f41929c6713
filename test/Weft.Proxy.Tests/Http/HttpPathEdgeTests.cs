using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Weft.Proxy.Tests.Support;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Proxy.Tests.Http;

/// <summary>Timeouts, the inbound listener, original destinations, and what happens when a configuration is refused.</summary>
public sealed class HttpPathEdgeTests
{
    private const string Service = "svc.default.svc.cluster.local";

    [Fact]
    public async Task The_route_timeout_answers_504_on_the_proxys_clock()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await Backend.StartAsync("slow", respond: async context =>
        {
            arrived.TrySetResult();
            await release.Task.WaitAsync(context.RequestAborted);
        });
        var route = new Route { Match = new RouteMatch { Prefix = "/" }, Route_ = new RouteAction { Cluster = "slow", Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(3)) } };
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh("slow", slow.Port, route));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = time });

        var pending = proxy.GetAsync($"{Service}:8080");
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("3000", slow.Requests.Single().Headers["x-envoy-expected-rq-timeout-ms"]);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream request timeout", await response.Content.ReadAsStringAsync());
        release.TrySetResult();
    }

    [Fact]
    public async Task The_inbound_listener_hands_requests_to_the_local_workload_from_127_0_0_6()
    {
        await using var workload = await Backend.StartAsync("product-catalog-v1");
        var resources = Golden.Load("canary.workload-entry-v1", json => json.Replace("18081", workload.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address, nodeId: "sidecar~127.0.0.1~product-catalog-v1.default~default.svc.cluster.local");

        using var client = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, $"http://{proxy.Host.InboundEndpoint}/products");
        request.Headers.Host = "product-catalog.default.svc.cluster.local:8080";
        using var response = await client.SendAsync(request);
        Assert.Equal("product-catalog-v1", await response.Content.ReadAsStringAsync());
        Assert.Equal("istio-envoy", response.Headers.Server.ToString()); // the inbound connection manager's name
        var received = workload.Requests.Single();
        Assert.Equal("/products", received.Target);
        Assert.Equal("127.0.0.6", received.RemoteAddress);
    }

    [Fact]
    public async Task An_original_destination_cluster_sends_where_the_client_asked()
    {
        await using var site = await Backend.StartAsync("site");
        var listener = XdsResources.HttpListener(site.Port);
        var config = new RouteConfiguration
        {
            Name = site.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            VirtualHosts = { new VirtualHost { Name = "allow_any", Domains = { "*" }, Routes = { new Route { Match = new RouteMatch { Prefix = "/" }, Route_ = new RouteAction { Cluster = "PassthroughCluster", Timeout = new Duration() } } } } },
        };
        var passthrough = new Cluster { Name = "PassthroughCluster", Type = Cluster.Types.DiscoveryType.OriginalDst, LbPolicy = Cluster.Types.LbPolicy.ClusterProvided };
        await using var plane = await ScriptedControlPlane.StartAsync([listener, config, passthrough]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        using var response = await proxy.GetAsync($"127.0.0.1:{site.Port}", "/page");
        Assert.Equal("site", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_refused_update_is_NACKed_with_its_reason_and_the_previous_snapshot_keeps_serving()
    {
        await using var backend = await Backend.StartAsync("a");
        var route = new Route { Match = new RouteMatch { Prefix = "/" }, Route_ = new RouteAction { Cluster = "a", Timeout = new Duration() } };
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh("a", backend.Port, route));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        (await proxy.GetAsync($"{Service}:8080")).EnsureSuccessStatusCode();
        var generation = proxy.Host.State.Current!.Generation;

        // A route configuration with a regex RE2 refuses: the whole response is refused.
        var broken = new RouteConfiguration
        {
            Name = "8080",
            VirtualHosts = { new VirtualHost { Name = "x", Domains = { "*" }, Routes = { new Route { Name = "bad", Match = new RouteMatch { SafeRegex = new RegexMatcher { Regex = "/(?=x)" } }, Route_ = new RouteAction { Cluster = "a" } } } } },
        };
        await plane.SendRawAsync(TypeUrls.RouteConfiguration, broken);
        var nack = await Eventually(() => plane.Rejections.TryPeek(out var r) ? r : null);
        Assert.Equal(TypeUrls.RouteConfiguration, nack.TypeUrl);
        Assert.Contains("RDS 8080: virtual host x: route bad: the regex \"/(?=x)\"", nack.ErrorDetail.Message);

        using var after = await proxy.GetAsync($"{Service}:8080");
        Assert.Equal("a", await after.Content.ReadAsStringAsync());
        Assert.Equal(generation, proxy.Host.State.Current!.Generation);
    }

    private static IEnumerable<IMessage> Mesh(string cluster, int port, Route route)
    {
        var config = new RouteConfiguration { Name = "8080", IgnorePortInHostMatching = true };
        config.VirtualHosts.Add(new VirtualHost { Name = Service, Domains = { Service }, Routes = { route } });
        return [XdsResources.HttpListener(8080), config, XdsResources.EdsCluster(cluster), XdsResources.Assignment(cluster, ("127.0.0.1", port))];
    }

    private static async Task<T> Eventually<T>(Func<T?> probe)
        where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(10, timeout.Token);
        }
    }
}
