using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Upstreams.Http.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;
using HttpProtocolOptions = Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;

namespace Weft.Proxy.Tests.Http;

/// <summary>
/// Requests through a real proxy on real sockets, configured by a scripted control plane: what the client gets back and
/// what the upstream receives.
/// </summary>
public sealed class HttpPathTests : IAsyncLifetime
{
    private const string Service = "svc.default.svc.cluster.local";
    private Backend _a = null!;
    private Backend _b = null!;

    public async Task InitializeAsync()
    {
        _a = await Backend.StartAsync("a");
        _b = await Backend.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task Routes_by_Host_and_adds_the_headers_Istio_users_see()
    {
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(Route("/", Cluster("a"))));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var response = await proxy.GetAsync($"{Service}:8080", "/items?x=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a", await response.Content.ReadAsStringAsync());
        Assert.Equal("envoy", response.Headers.Server.ToString());
        Assert.True(int.TryParse(response.Headers.GetValues("x-envoy-upstream-service-time").Single(), out _));

        var received = Assert.Single(_a.Requests);
        Assert.Equal("/items?x=1", received.Target);
        Assert.Equal($"{Service}:8080", received.Host); // the Host is kept, as Envoy keeps it
        Assert.True(Guid.TryParse(received.Headers["x-request-id"], out _));
        Assert.Equal("http", received.Headers["x-forwarded-proto"]);
        Assert.Equal("1", received.Headers["x-envoy-attempt-count"]);
        Assert.False(received.Headers.ContainsKey("x-forwarded-for")); // sidecars do not append the peer (use_remote_address false)
    }

    [Fact]
    public async Task Keeps_a_request_id_the_client_sent()
    {
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(Route("/", Cluster("a"))));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        using var response = await proxy.GetAsync($"{Service}:8080", "/", ("x-request-id", "abc"));
        Assert.Equal("abc", Assert.Single(_a.Requests).Headers["x-request-id"]);
    }

    [Fact]
    public async Task Serves_clients_that_use_it_as_their_HTTP_proxy()
    {
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(Route("/", Cluster("a"))));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        using var client = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy($"http://{proxy.Host.OutboundEndpoint}"), UseProxy = true });

        var body = await client.GetStringAsync($"http://{Service}:8080/via-proxy");
        Assert.Equal("a", body);
        var received = Assert.Single(_a.Requests);
        Assert.Equal("/via-proxy", received.Target);
        Assert.Equal($"{Service}:8080", received.Host);
    }

    [Fact]
    public async Task Local_replies_mean_what_Envoys_do()
    {
        var resources = Mesh(Route("/", Cluster("a"))).ToList();
        var config = (RouteConfiguration)resources.Single(r => r is RouteConfiguration);
        config.VirtualHosts.Add(VirtualHost("missing.example", Route("/", Cluster("does-not-exist"))));
        config.VirtualHosts.Add(VirtualHost("empty.example", Route("/", Cluster("empty"))));
        config.VirtualHosts.Add(VirtualHost("down.example", Route("/", Cluster("down"))));
        resources.AddRange([XdsResources.EdsCluster("empty"), XdsResources.Assignment("empty"), XdsResources.EdsCluster("down"), XdsResources.Assignment("down", ("127.0.0.1", Ports.Refusing()))]);
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        await AssertReply(await proxy.GetAsync("unknown.example:8080"), HttpStatusCode.NotFound, "");
        await AssertReply(await proxy.GetAsync("missing.example:8080"), HttpStatusCode.ServiceUnavailable, "");
        await AssertReply(await proxy.GetAsync("empty.example:8080"), HttpStatusCode.ServiceUnavailable, "no healthy upstream");
        var down = await proxy.GetAsync("down.example:8080");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.StartsWith("upstream connect error or disconnect/reset before headers. reset reason: connection failure", await down.Content.ReadAsStringAsync());
        await AssertReply(await proxy.GetAsync("anything:9999"), HttpStatusCode.NotFound, ""); // no listener for the port
    }

    [Fact]
    public async Task Splits_by_weight_with_the_drawn_random_values()
    {
        var split = new RouteAction
        {
            Timeout = new Duration(),
            WeightedClusters = new WeightedCluster { Clusters = { new WeightedCluster.Types.ClusterWeight { Name = "a", Weight = 3 }, new WeightedCluster.Types.ClusterWeight { Name = "b", Weight = 1 } } },
        };
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(Route("/", split)));
        long counter = 0;
        // Each request draws twice (the route's draw, then the load balancer's): request k's route draw is k.
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Random = () => (ulong)(Interlocked.Increment(ref counter) / 2) });
        for (var i = 0; i < 40; i++)
        {
            using var response = await proxy.GetAsync($"{Service}:8080");
            response.EnsureSuccessStatusCode();
        }

        Assert.Equal(30, _a.Requests.Count);
        Assert.Equal(10, _b.Requests.Count);
    }

    [Fact]
    public async Task Rewrites_path_and_host_and_edits_headers_at_every_level()
    {
        var route = Route("/api", new RouteAction { Cluster = "a", PrefixRewrite = "/v2", HostRewriteLiteral = "backend.internal", Timeout = new Duration() });
        route.RequestHeadersToAdd.Add(Header("x-route", "r"));
        route.ResponseHeadersToAdd.Add(Header("x-route-response", "r"));
        route.RequestHeadersToRemove.Add("x-secret");
        var resources = Mesh(route).ToList();
        var config = (RouteConfiguration)resources.Single(r => r is RouteConfiguration);
        config.VirtualHosts[0].RequestHeadersToAdd.Add(Header("x-route", "vhost", HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd));
        config.ResponseHeadersToAdd.Add(Header("x-config-response", "c"));
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var response = await proxy.GetAsync($"{Service}:8080", "/api/users?page=2", ("x-secret", "s"));
        Assert.Equal("r", response.Headers.GetValues("x-route-response").Single());
        Assert.Equal("c", response.Headers.GetValues("x-config-response").Single());
        var received = Assert.Single(_a.Requests);
        Assert.Equal("/v2/users?page=2", received.Target);
        Assert.Equal("/api/users?page=2", received.Headers["x-envoy-original-path"]);
        Assert.Equal("backend.internal", received.Host);
        Assert.Equal("vhost", received.Headers["x-route"]); // the virtual host's edit comes after the route's
        Assert.False(received.Headers.ContainsKey("x-secret"));
    }

    [Fact]
    public async Task Normalizes_the_path_before_matching()
    {
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(Route("/public", Cluster("a")), new Route { Match = new RouteMatch { Prefix = "/" }, DirectResponse = new DirectResponseAction { Status = 403 } }));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        using var response = await proxy.GetAsync($"{Service}:8080", "/public/../%61dmin");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode); // "/admin", not "/public/..."
        Assert.Empty(_a.Requests);
    }

    [Fact]
    public async Task Redirects_and_direct_responses()
    {
        var redirect = new Route { Name = "r", Match = new RouteMatch { Prefix = "/old" }, Redirect = new RedirectAction { PrefixRewrite = "/new", ResponseCode = RedirectAction.Types.RedirectResponseCode.Found } };
        var direct = new Route { Name = "d", Match = new RouteMatch { Path = "/teapot" }, DirectResponse = new DirectResponseAction { Status = 418, Body = new DataSource { InlineString = "short and stout" } } };
        var resources = Mesh(Route("/", Cluster("a"))).ToList();
        var vhost = ((RouteConfiguration)resources.Single(r => r is RouteConfiguration)).VirtualHosts[0];
        vhost.Routes.Insert(0, redirect);
        vhost.Routes.Insert(0, direct);
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var moved = await proxy.GetAsync($"{Service}:8080", "/old/page?q=1");
        Assert.Equal(HttpStatusCode.Found, moved.StatusCode);
        Assert.Equal($"http://{Service}:8080/new/page?q=1", moved.Headers.Location?.ToString());
        await AssertReply(await proxy.GetAsync($"{Service}:8080", "/teapot"), (HttpStatusCode)418, "short and stout");
        Assert.Empty(_a.Requests);
    }

    [Fact]
    public async Task Speaks_h2c_to_clusters_that_ask_for_HTTP2_and_takes_h2c_from_clients()
    {
        await using var grpcish = await Backend.StartAsync("h2", HttpProtocols.Http2);
        var cluster = XdsResources.EdsCluster("h2");
        cluster.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"] = Any.Pack(new HttpProtocolOptions
        {
            ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig { Http2ProtocolOptions = new Http2ProtocolOptions() },
        });
        var resources = Mesh(Route("/", Cluster("h2"))).Where(r => r is not Cluster { Name: "h2" }).Append(cluster).Append(XdsResources.Assignment("h2", ("127.0.0.1", grpcish.Port)));
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var http1 = await proxy.GetAsync($"{Service}:8080");
        Assert.Equal("h2", await http1.Content.ReadAsStringAsync());
        Assert.Equal("HTTP/2", grpcish.Requests.Single().Protocol);

        using var h2c = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var request = new HttpRequestMessage(HttpMethod.Get, $"http://{proxy.Host.OutboundEndpoint}/") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Host = $"{Service}:8080";
        using var response = await h2c.SendAsync(request);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("h2", await response.Content.ReadAsStringAsync());
    }

    private static async Task AssertReply(HttpResponseMessage response, HttpStatusCode status, string body)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal(body, await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>
    /// Istio's shape for one HTTP service on port 8080: the port's listener, its route configuration with one virtual host,
    /// and EDS clusters a and b whose endpoints are the two backends.
    /// </summary>
    private IEnumerable<IMessage> Mesh(params Route[] routes)
    {
        var config = new RouteConfiguration { Name = "8080", IgnorePortInHostMatching = true, ValidateClusters = false };
        config.VirtualHosts.Add(VirtualHost(Service, routes));
        config.VirtualHosts[0].IncludeRequestAttemptCount = true;
        return
        [
            XdsResources.HttpListener(8080),
            config,
            XdsResources.EdsCluster("a"),
            XdsResources.EdsCluster("b"),
            XdsResources.Assignment("a", ("127.0.0.1", _a.Port)),
            XdsResources.Assignment("b", ("127.0.0.1", _b.Port)),
        ];
    }

    private static VirtualHost VirtualHost(string domain, params Route[] routes)
    {
        var vhost = new VirtualHost { Name = domain + ":8080", Domains = { domain } };
        vhost.Routes.AddRange(routes);
        return vhost;
    }

    private static Route Route(string prefix, RouteAction action) => new() { Match = new RouteMatch { Prefix = prefix }, Route_ = action };

    private static RouteAction Cluster(string name) => new() { Cluster = name, Timeout = new Duration() };

    private static HeaderValueOption Header(string name, string value, HeaderValueOption.Types.HeaderAppendAction action = HeaderValueOption.Types.HeaderAppendAction.AppendIfExistsOrAdd) =>
        new() { Header = new HeaderValue { Key = name, Value = value }, AppendAction = action };

}
