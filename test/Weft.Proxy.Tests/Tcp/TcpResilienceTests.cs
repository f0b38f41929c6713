using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Tests.Tcp;

/// <summary>
/// The cluster's circuit breakers and outlier detection on the TCP path, as Envoy's tcp_proxy applies them: real
/// clients through the outbound listener (CONNECT to the TCP service's address) to real TCP servers.
/// </summary>
public sealed class TcpResilienceTests
{
    private const string Service = "240.0.0.1:3306";

    [Fact]
    public async Task At_max_connections_a_new_connection_is_closed_without_connecting_and_counted_as_overflow()
    {
        await using var echo = TcpBackend.Echo("echo");
        var resources = TcpProxyTests.Mesh(XdsResources.ToCluster("db"), ("db", echo)).ToList();
        Cluster(resources, "db").CircuitBreakers = MaxConnections(1); // Istio's connectionPool.tcp.maxConnections: 1
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        var logs = new LogRecorder();
        await using var proxy = await RunningProxy.StartAsync(plane.Address, loggers: logs);

        var first = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, Service);
        await first.SendAsync("a");
        Assert.Equal("a", await first.ReadAsync(1));
        Assert.Contains($"db::127.0.0.1:{echo.Port}::cx_active::1\n", await OneCluster.ClustersAsync(proxy));

        var refused = await RawConnection.TunnelRefusedAsync(proxy.Host.OutboundEndpoint, Service);
        Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", refused);
        Assert.Contains("\r\nx-envoy-overloaded: true\r\n", refused);
        Assert.EndsWith("\r\n\r\nupstream connect error or disconnect/reset before headers. reset reason: overflow", refused);

        Assert.Equal(1, echo.Connections); // the second never reached the server
        Assert.Contains("cluster db, upstream -, 0 bytes received, 0 bytes sent, flags UO", Assert.Single(await logs.WaitForAsync(501)));
        var scrape = await PrometheusScrape.GetAsync(proxy.Admin);
        Assert.Equal(1, Assert.Single(scrape.Find("envoy_cluster_upstream_cx_overflow", ("cluster_name", "db"))).Value);
        Assert.Equal(0, Assert.Single(scrape.Find("envoy_cluster_upstream_cx_overflow", ("cluster_name", "PassthroughCluster"))).Value);
        Assert.Equal(1, Assert.Single(scrape.Find("istio_tcp_connections_opened_total", ("response_flags", "UO"))).Value);

        // Once the first connection has closed its place is free again.
        first.ShutdownSend();
        Assert.Equal(string.Empty, await first.ReadToEndAsync());
        first.Dispose();
        await EventuallyAsync(async () => (await OneCluster.ClustersAsync(proxy)).Contains($"db::127.0.0.1:{echo.Port}::cx_active::0\n", StringComparison.Ordinal), "the first upstream connection to close");
        using var third = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, Service);
        await third.SendAsync("c");
        Assert.Equal("c", await third.ReadAsync(1));
        Assert.Equal(2, echo.Connections);
    }

    [Fact]
    public async Task A_cluster_whose_one_connection_carries_an_HTTP_request_refuses_a_TCP_connection()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var held = await Backend.StartAsync("held", respond: async context =>
        {
            arrived.TrySetResult();
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("held");
        });
        // One cluster reached both ways: HTTP through the 8080 route, TCP through the service's TCP listener.
        var cluster = OneCluster.Cluster();
        cluster.CircuitBreakers = MaxConnections(1);
        List<IMessage> resources = [.. XdsResources.VirtualOutbound(), .. OneCluster.Resources(cluster, [held]), XdsResources.TcpListener("240.0.0.1", 3306, XdsResources.ToCluster("c"))];
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        var request = proxy.GetAsync(OneCluster.Authority);
        await arrived.Task.WaitAsync(RawConnection.Wait);
        Assert.StartsWith("HTTP/1.1 503 ", await RawConnection.TunnelRefusedAsync(proxy.Host.OutboundEndpoint, Service));

        Assert.Single(held.Requests); // nothing else reached the backend
        var scrape = await PrometheusScrape.GetAsync(proxy.Admin);
        Assert.Equal(1, Assert.Single(scrape.Find("envoy_cluster_upstream_cx_overflow", ("cluster_name", "c"))).Value);
        release.TrySetResult();
        using var response = await request.WaitAsync(RawConnection.Wait);
        Assert.Equal("held", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_host_that_refuses_connections_is_ejected_and_later_connections_go_to_the_healthy_one()
    {
        await using var echo = TcpBackend.Echo("echo");
        var refusing = Ports.Refusing();
        IMessage[] resources =
        [
            .. XdsResources.VirtualOutbound(),
            XdsResources.TcpListener("240.0.0.1", 3306, XdsResources.ToCluster("db")),
            Detecting(XdsResources.EdsCluster("db"), consecutive5xx: 2),
            XdsResources.Assignment("db", ("127.0.0.1", echo.Port), ("127.0.0.1", refusing)),
        ];
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = time });

        // Round robin alternates the two hosts: each refused connection is a connect failure (a 503 to the detector).
        var refused = 0;
        for (var i = 0; i < 20 && refused < 2; i++)
        {
            refused += await EchoesAsync(proxy) ? 0 : 1;
        }

        Assert.Equal(2, refused);
        var clusters = await OneCluster.ClustersAsync(proxy);
        Assert.Contains($"db::127.0.0.1:{refusing}::health_flags::/failed_outlier_check\n", clusters);
        Assert.Contains($"db::127.0.0.1:{refusing}::cx_connect_fail::2\n", clusters);
        Assert.Contains($"db::127.0.0.1:{echo.Port}::health_flags::healthy\n", clusters);
        var before = echo.Connections;
        for (var i = 0; i < 6; i++)
        {
            Assert.True(await EchoesAsync(proxy));
        }

        Assert.Equal(before + 6, echo.Connections);

        // Back after the base ejection time, on the proxy's clock.
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Contains($"db::127.0.0.1:{refusing}::health_flags::healthy\n", await OneCluster.ClustersAsync(proxy));
    }

    [Theory]
    [InlineData(false, "FFSFF", false)] // an opened connection counts as a success and starts the count again
    [InlineData(false, "FSFFF", true)]
    [InlineData(false, "TTT", true)] // connect timeouts are 504s: errors in a row as well
    [InlineData(true, "FFSFF", false)] // split: connect results are local-origin ones, reset by an opened connection
    [InlineData(true, "SFFF", true)]
    public void Connect_results_count_for_outlier_detection_as_in_Envoys_tcp_proxy(bool split, string results, bool ejected)
    {
        var cluster = Detecting(XdsResources.EdsCluster("db"), consecutive5xx: 3);
        cluster.OutlierDetection.SplitExternalLocalOriginErrors = split;
        cluster.OutlierDetection.ConsecutiveLocalOriginFailure = 3;
        var snapshot = Snapshots.Build([cluster, XdsResources.Assignment("db", ("127.0.0.1", 1), ("127.0.0.1", 2))]);
        var runtime = snapshot.Clusters["db"];
        var host = runtime.Hosts[0];
        foreach (var result in results)
        {
            runtime.State.ReportConnect(host, result switch
            {
                'S' => Weft.Proxy.Upstream.UpstreamResult.ConnectSucceeded,
                'T' => Weft.Proxy.Upstream.UpstreamResult.Timeout,
                _ => Weft.Proxy.Upstream.UpstreamResult.ConnectFailed,
            });
        }

        Assert.Equal(ejected, host.State.Ejected);
        runtime.State.Dispose();
    }

    /// <summary>Asks for a tunnel to the service and says one byte through it; true when it came back, false when the tunnel was refused.</summary>
    private static async Task<bool> EchoesAsync(RunningProxy proxy)
    {
        using var client = await RawConnection.AskTunnelAsync(proxy.Host.OutboundEndpoint, Service);
        var head = await client.ReadHeadAsync();
        if (!head.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal))
        {
            Assert.StartsWith("HTTP/1.1 503 ", head);
            return false;
        }

        await client.SendAsync("x");
        return await client.ReadAsync(1) == "x";
    }

    /// <summary>The outlier detection Istio writes for <c>consecutive5xxErrors</c>, with every host allowed out.</summary>
    private static Cluster Detecting(Cluster cluster, int consecutive5xx)
    {
        cluster.OutlierDetection = new OutlierDetection
        {
            Consecutive5Xx = (uint)consecutive5xx,
            EnforcingConsecutive5Xx = 100,
            EnforcingSuccessRate = 0,
            Interval = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
            BaseEjectionTime = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(30)),
            MaxEjectionPercent = 100,
        };
        return cluster;
    }

    /// <summary>Polls (bounded) until what a client can see holds.</summary>
    internal static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        using var timeout = new CancellationTokenSource(RawConnection.Wait);
        while (!await condition())
        {
            try
            {
                await Task.Delay(10, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("waited for: " + what);
            }
        }
    }

    internal static Cluster Cluster(IEnumerable<IMessage> resources, string name) => resources.OfType<Cluster>().Single(c => c.Name == name);

    internal static CircuitBreakers MaxConnections(uint max) => new()
    {
        Thresholds = { new CircuitBreakers.Types.Thresholds { Priority = RoutingPriority.Default, MaxConnections = max } },
    };
}
