using System.Net;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using HttpProtocolOptions = Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;

namespace Weft.Proxy.Tests.Upstream;

/// <summary>
/// Circuit breakers and connection-pool limits of a cluster, against a backend that holds requests until told to answer.
/// </summary>
public sealed class CircuitBreakerTests : IAsyncLifetime
{
    private const string Overflow = "upstream connect error or disconnect/reset before headers. reset reason: overflow";
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Threading.Channels.Channel<bool> _arrived = System.Threading.Channels.Channel.CreateUnbounded<bool>();
    private Backend _held = null!;

    public async Task InitializeAsync()
    {
        _held = await Backend.StartAsync("held", respond: async context =>
        {
            _arrived.Writer.TryWrite(true);
            await _release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("held");
        });
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        await _held.DisposeAsync();
    }

    [Fact]
    public async Task With_max_requests_1_a_second_request_overflows_while_the_first_is_held()
    {
        var cluster = OneCluster.Cluster();
        cluster.CircuitBreakers = Thresholds(t => t.MaxRequests = 1);
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(cluster, [_held]));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        var first = proxy.GetAsync(OneCluster.Authority);
        await ArrivedAsync();

        using var second = await proxy.GetAsync(OneCluster.Authority);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(Overflow, await second.Content.ReadAsStringAsync());
        Assert.Equal("true", second.Headers.GetValues("x-envoy-overloaded").Single());
        Assert.Single(_held.Requests); // the overflow never reached the backend

        _release.TrySetResult();
        using var firstResponse = await first.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("held", await firstResponse.Content.ReadAsStringAsync());
        using var third = await proxy.GetAsync(OneCluster.Authority); // the breaker closed again
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task With_one_connection_one_request_waits_pending_and_the_next_overflows()
    {
        var cluster = OneCluster.Cluster();
        cluster.CircuitBreakers = Thresholds(t =>
        {
            t.MaxConnections = 1;
            t.MaxPendingRequests = 1;
        });
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(cluster, [_held]));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        var first = proxy.GetAsync(OneCluster.Authority);
        await ArrivedAsync();
        var second = proxy.GetAsync(OneCluster.Authority);
        var state = proxy.Host.State.Current!.Clusters["c"].State;
        await OneCluster.EventuallyAsync(() => state.PendingRequests == 1, "the second request to be pending");

        using var third = await proxy.GetAsync(OneCluster.Authority);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.Equal(Overflow, await third.Content.ReadAsStringAsync());
        Assert.Single(_held.Requests);
        Assert.False(second.IsCompleted);

        // Both wanted a new connection the breaker did not allow (Envoy's upstream_cx_overflow), whether they then waited or overflowed.
        var scrape = await PrometheusScrape.GetAsync(proxy.Admin);
        Assert.Equal(2, Assert.Single(scrape.Find("envoy_cluster_upstream_cx_overflow", ("cluster_name", "c"))).Value);

        // The held request finishes, its connection frees, and the pending one goes out on it.
        _release.TrySetResult();
        using var firstResponse = await first.WaitAsync(TimeSpan.FromSeconds(10));
        using var secondResponse = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, secondResponse.StatusCode);
        Assert.Equal(2, _held.Requests.Count);
        Assert.Contains("::cx_total::1\n", await OneCluster.ClustersAsync(proxy)); // one connection served both
    }

    [Fact]
    public async Task A_pending_request_gives_up_with_the_route_timeout()
    {
        var cluster = OneCluster.Cluster();
        cluster.CircuitBreakers = Thresholds(t => t.MaxConnections = 1);
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(cluster, [_held], r => r.Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5))));
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = time });

        var first = proxy.GetAsync(OneCluster.Authority);
        await ArrivedAsync();
        var second = proxy.GetAsync(OneCluster.Authority);
        var state = proxy.Host.State.Current!.Clusters["c"].State;
        await OneCluster.EventuallyAsync(() => state.PendingRequests == 1, "the second request to be pending");

        time.Advance(TimeSpan.FromSeconds(5));
        using var timedOut = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        Assert.Equal("upstream request timeout", await timedOut.Content.ReadAsStringAsync());
        Assert.Equal(0, state.PendingRequests);
        _release.TrySetResult();
        (await first.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Fact]
    public async Task Max_requests_per_connection_opens_a_new_connection_after_that_many_requests()
    {
        await using var backend = await Backend.StartAsync("a");
        var cluster = OneCluster.Cluster();
        cluster.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"] = Any.Pack(new HttpProtocolOptions
        {
            CommonHttpProtocolOptions = new Weft.Xds.Envoy.Config.Core.V3.HttpProtocolOptions { MaxRequestsPerConnection = 2 },
            ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig { HttpProtocolOptions = new Http1ProtocolOptions() },
        });
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(cluster, [backend]));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        for (var i = 0; i < 4; i++)
        {
            using var response = await proxy.GetAsync(OneCluster.Authority, $"/{i}");
            response.EnsureSuccessStatusCode();
        }

        // The second request of each connection asks the backend to close it.
        Assert.Equal([false, true, false, true], backend.Requests.Select(r => r.Headers.GetValueOrDefault("connection") == "close"));
        Assert.Contains($"c::127.0.0.1:{backend.Port}::cx_total::2\n", await OneCluster.ClustersAsync(proxy));
    }

    [Fact]
    public async Task An_http2_cluster_multiplexes_concurrent_requests_on_one_connection()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new SemaphoreSlim(0);
        await using var h2 = await Backend.StartAsync("h2", HttpProtocols.Http2, async context =>
        {
            arrived.Release();
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("h2");
        });
        var cluster = OneCluster.Cluster();
        cluster.Http2ProtocolOptions = new Http2ProtocolOptions(); // the deprecated field, still honoured
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(cluster, [h2]));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        var requests = Enumerable.Range(0, 5).Select(i => proxy.GetAsync(OneCluster.Authority, $"/{i}")).ToList();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(await arrived.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        var clusters = await OneCluster.ClustersAsync(proxy);
        Assert.Contains($"c::127.0.0.1:{h2.Port}::cx_active::1\n", clusters);
        Assert.Contains($"c::127.0.0.1:{h2.Port}::rq_active::5\n", clusters);
        release.TrySetResult();
        foreach (var response in await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal("h2", await response.Content.ReadAsStringAsync());
            response.Dispose();
        }

        Assert.All(h2.Requests, r => Assert.Equal("HTTP/2", r.Protocol));
    }

    [Fact]
    public async Task Max_concurrent_streams_opens_another_http2_connection_beyond_that_many_streams()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new SemaphoreSlim(0);
        var connections = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var h2 = await Backend.StartAsync("h2", HttpProtocols.Http2, async context =>
        {
            if (context.Request.Path == "/warm")
            {
                await context.Response.WriteAsync("warm");
                return;
            }

            connections.Enqueue(context.Connection.Id);
            arrived.Release();
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("h2");
        });

        // Kestrel allows 100 streams per connection; the cluster, as Istio's maxConcurrentStreams: 2 writes it, two.
        var cluster = OneCluster.Cluster();
        cluster.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"] = Any.Pack(new HttpProtocolOptions
        {
            ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig { Http2ProtocolOptions = new Http2ProtocolOptions { MaxConcurrentStreams = 2 } },
        });
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(cluster, [h2]));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        // A first exchange opens the connection; its answer comes after the server's SETTINGS, so the limit is known.
        using (var warm = await proxy.GetAsync(OneCluster.Authority, "/warm"))
        {
            Assert.Equal("warm", await warm.Content.ReadAsStringAsync());
        }

        // Four held requests: two on that connection, and two on a second one.
        var requests = Enumerable.Range(0, 4).Select(i => proxy.GetAsync(OneCluster.Authority, $"/{i}")).ToList();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(await arrived.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.Contains($"c::127.0.0.1:{h2.Port}::cx_active::2\n", await OneCluster.ClustersAsync(proxy));
        Assert.Equal([2, 2], connections.GroupBy(c => c).Select(g => g.Count()));
        release.TrySetResult();
        foreach (var response in await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal("h2", await response.Content.ReadAsStringAsync());
            response.Dispose();
        }
    }

    [Fact]
    public async Task Http2_keepalive_pings_the_upstream_and_closes_a_connection_whose_pings_go_unanswered()
    {
        await using var silent = new SilentPingH2Server();
        var cluster = OneCluster.Cluster();
        cluster.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"] = Any.Pack(new HttpProtocolOptions
        {
            ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig
            {
                Http2ProtocolOptions = new Http2ProtocolOptions
                {
                    ConnectionKeepalive = new KeepaliveSettings { Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)), Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) },
                },
            },
        });
        var resources = OneCluster.Resources(cluster, []).Where(r => r is not Weft.Xds.Envoy.Config.Endpoint.V3.ClusterLoadAssignment).ToList();
        resources.Add(XdsResources.Assignment("c", ("127.0.0.1", silent.Port)));
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using (var response = await proxy.GetAsync(OneCluster.Authority, "/"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Idle, the connection is pinged; unanswered, it is closed, and the next request opens another.
        await silent.Pinged.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await silent.Closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using (var response = await proxy.GetAsync(OneCluster.Authority, "/"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, silent.Connections);
    }

    [Fact]
    public void The_retry_breaker_allows_max_retries_at_once()
    {
        var cluster = OneCluster.Cluster();
        cluster.CircuitBreakers = Thresholds(t => t.MaxRetries = 2);
        var snapshot = Snapshots.Build(OneCluster.Resources(cluster, [_held]));
        var state = snapshot.Clusters["c"];
        Assert.True(state.TryAcquireRetry());
        Assert.True(state.TryAcquireRetry());
        Assert.False(state.TryAcquireRetry()); // overflow: the retry is not made
        state.ReleaseRetry();
        Assert.True(state.TryAcquireRetry());
    }

    [Fact]
    public async Task A_retry_budget_allows_a_share_of_the_requests_in_flight_but_never_less_than_its_minimum()
    {
        var cluster = OneCluster.Cluster();
        cluster.CircuitBreakers = Thresholds(t => t.RetryBudget = new CircuitBreakers.Types.Thresholds.Types.RetryBudget
        {
            BudgetPercent = new Weft.Xds.Envoy.Type.V3.Percent { Value = 50 },
            MinRetryConcurrency = 1,
        });
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(cluster, [_held]));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        var runtime = proxy.Host.State.Current!.Clusters["c"];

        Assert.True(runtime.TryAcquireRetry()); // the minimum, with nothing in flight
        Assert.False(runtime.TryAcquireRetry());
        var held = Enumerable.Range(0, 4).Select(_ => proxy.GetAsync(OneCluster.Authority)).ToList();
        for (var i = 0; i < 4; i++)
        {
            await ArrivedAsync();
        }

        Assert.True(runtime.TryAcquireRetry()); // 50% of 4 in flight: 2
        Assert.False(runtime.TryAcquireRetry());
        _release.TrySetResult();
        foreach (var response in await Task.WhenAll(held).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            response.Dispose();
        }
    }

    /// <summary>Waits (bounded) until the next request reaches the held backend.</summary>
    private async Task ArrivedAsync() => await _arrived.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    private static CircuitBreakers Thresholds(Action<CircuitBreakers.Types.Thresholds> set)
    {
        var thresholds = new CircuitBreakers.Types.Thresholds { Priority = RoutingPriority.Default };
        set(thresholds);
        return new CircuitBreakers { Thresholds = { thresholds } };
    }
}
