using System.Net;
using System.Net.Sockets;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Route.V3;
using HashPolicy = Weft.Xds.Envoy.Config.Route.V3.RouteAction.Types.HashPolicy;
using LbPolicy = Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy;

namespace Weft.Proxy.Tests.Upstream;

/// <summary>
/// Route hash policies with ring hash and Maglev clusters: what a client sees is that the same key always reaches the
/// same backend and different keys reach different ones. Three backends, real sockets.
/// </summary>
public sealed class HashPolicyTests : IAsyncLifetime
{
    private readonly List<Backend> _backends = [];

    public static TheoryData<LbPolicy> Policies => new() { LbPolicy.RingHash, LbPolicy.Maglev };

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            _backends.Add(await Backend.StartAsync($"b{i}"));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task The_same_header_reaches_the_same_backend(LbPolicy policy)
    {
        var hash = new HashPolicy { Header = new HashPolicy.Types.Header { HeaderName = "x-user" } };
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(OneCluster.Cluster(policy), _backends, r => r.HashPolicy.Add(hash)));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        await AssertStickyAsync(user => proxy.GetAsync(OneCluster.Authority, "/", ("x-user", user)));
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task The_same_query_parameter_reaches_the_same_backend(LbPolicy policy)
    {
        var hash = new HashPolicy { QueryParameter = new HashPolicy.Types.QueryParameter { Name = "user" } };
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(OneCluster.Cluster(policy), _backends, r => r.HashPolicy.Add(hash)));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        await AssertStickyAsync(user => proxy.GetAsync(OneCluster.Authority, $"/items?page=2&user={user}"));
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task The_same_cookie_reaches_the_same_backend(LbPolicy policy)
    {
        var hash = new HashPolicy { Cookie = new HashPolicy.Types.Cookie { Name = "session" } };
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(OneCluster.Cluster(policy), _backends, r => r.HashPolicy.Add(hash)));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        await AssertStickyAsync(user => proxy.GetAsync(OneCluster.Authority, "/", ("cookie", $"theme=dark; session=\"{user}\"")));
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task The_same_source_address_reaches_the_same_backend(LbPolicy policy)
    {
        var hash = new HashPolicy { ConnectionProperties = new HashPolicy.Types.ConnectionProperties { SourceIp = true } };
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(OneCluster.Cluster(policy), _backends, r => r.HashPolicy.Add(hash)));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        // Each "user" is a client bound to its own loopback address (127.0.0.2, 127.0.0.3, …).
        var clients = new Dictionary<string, HttpClient>();
        try
        {
            await AssertStickyAsync(user =>
            {
                if (!clients.TryGetValue(user, out var client))
                {
                    client = clients[user] = ClientFrom(IPAddress.Parse($"127.0.0.{2 + int.Parse(user.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture)}"), proxy);
                }

                var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Host = OneCluster.Authority;
                return client.SendAsync(request);
            });
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_cookie_with_a_ttl_is_made_up_and_set_and_then_keeps_the_client_on_its_backend()
    {
        var hash = new HashPolicy { Cookie = new HashPolicy.Types.Cookie { Name = "sticky", Ttl = Duration.FromTimeSpan(TimeSpan.FromHours(1)), Path = "/", Attributes = { new HashPolicy.Types.CookieAttribute { Name = "SameSite", Value = "Lax" } } } };
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(OneCluster.Cluster(LbPolicy.RingHash), _backends, r => r.HashPolicy.Add(hash)));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var first = await proxy.GetAsync(OneCluster.Authority);
        var setCookie = Assert.Single(first.Headers.GetValues("set-cookie"));
        Assert.Matches("^sticky=\"[0-9a-f]{16}\"; Max-Age=3600; Path=/; SameSite=Lax; HttpOnly$", setCookie);
        var backend = await first.Content.ReadAsStringAsync();

        var cookie = setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];
        for (var i = 0; i < 10; i++)
        {
            using var again = await proxy.GetAsync(OneCluster.Authority, "/", ("cookie", cookie));
            Assert.Equal(backend, await again.Content.ReadAsStringAsync());
            Assert.False(again.Headers.Contains("set-cookie")); // the client has it now
        }
    }

    [Fact]
    public async Task A_route_without_a_matching_policy_spreads_requests_at_random()
    {
        var hash = new HashPolicy { Header = new HashPolicy.Types.Header { HeaderName = "x-user" } };
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(OneCluster.Cluster(LbPolicy.Maglev), _backends, r => r.HashPolicy.Add(hash)));
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Random = OneCluster.Draws(3) });
        for (var i = 0; i < 60; i++)
        {
            using var response = await proxy.GetAsync(OneCluster.Authority);
            response.EnsureSuccessStatusCode();
        }

        Assert.All(_backends, b => Assert.InRange(b.Requests.Count, 5, 40));
    }

    /// <summary>Twenty keys, five requests each: every key sticks to one backend, and the keys use more than one.</summary>
    private static async Task AssertStickyAsync(Func<string, Task<HttpResponseMessage>> send)
    {
        var chosen = new Dictionary<string, string>();
        for (var round = 0; round < 5; round++)
        {
            for (var user = 0; user < 20; user++)
            {
                var key = $"user-{user}";
                using var response = await send(key);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var backend = await response.Content.ReadAsStringAsync();
                Assert.Equal(chosen.GetValueOrDefault(key, backend), backend);
                chosen[key] = backend;
            }
        }

        Assert.True(chosen.Values.Distinct().Count() > 1, "every key reached the same backend");
    }

    private static HttpClient ClientFrom(IPAddress source, RunningProxy proxy) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectCallback = async (context, cancel) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(proxy.Host.OutboundEndpoint, cancel);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri($"http://{proxy.Host.OutboundEndpoint}"),
    };
}
