using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;

namespace Weft.Proxy.Tests.Tcp;

/// <summary>
/// Connections through a real proxy's TCP path to real TCP servers. The client reaches the TCP service the way an
/// application without capture does: it asks the outbound listener for a tunnel (CONNECT) to the service's address,
/// whose listener (<c>240.0.0.1_3306</c>, as Istio writes it for a TCP service VIP) proxies to the cluster.
/// </summary>
public sealed class TcpProxyTests
{
    private const string Service = "240.0.0.1:3306";

    [Fact]
    public async Task Bytes_reach_an_echo_server_through_a_tcp_proxy_chain_and_back()
    {
        await using var echo = TcpBackend.Echo("echo");
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(XdsResources.ToCluster("db"), ("db", echo)));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var client = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, Service);
        await client.SendAsync("hello");
        Assert.Equal("hello", await client.ReadAsync(5));
        await client.SendAsync(" again");
        Assert.Equal(" again", await client.ReadAsync(6));
        client.ShutdownSend();
        Assert.Equal(string.Empty, await client.ReadToEndAsync()); // the echo server answered the FIN with its own
        Assert.Equal(1, echo.Connections);
    }

    [Fact]
    public async Task Weighted_clusters_are_drawn_per_connection()
    {
        await using var a = TcpBackend.Echo("a");
        await using var b = TcpBackend.Echo("b");
        var split = new TcpProxy
        {
            StatPrefix = "db.default",
            WeightedClusters = new TcpProxy.Types.WeightedCluster
            {
                Clusters =
                {
                    new TcpProxy.Types.WeightedCluster.Types.ClusterWeight { Name = "a", Weight = 3 },
                    new TcpProxy.Types.WeightedCluster.Types.ClusterWeight { Name = "b", Weight = 1 },
                },
            },
        };
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(split, ("a", a), ("b", b)));
        long counter = 0;
        // Each connection draws twice (the cluster, then the balancer's host): connection k's cluster draw is k.
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Random = () => (ulong)(Interlocked.Increment(ref counter) / 2) });

        for (var i = 0; i < 40; i++)
        {
            using var client = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, Service);
            await client.SendAsync("x");
            Assert.Equal("x", await client.ReadAsync(1));
        }

        Assert.Equal(30, a.Connections);
        Assert.Equal(10, b.Connections);
    }

    [Fact]
    public async Task A_client_that_finishes_sending_still_gets_the_answer()
    {
        await using var server = TcpBackend.AnswerAfterEnd("server");
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(XdsResources.ToCluster("db"), ("db", server)));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var client = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, Service);
        await client.SendAsync("12345");
        client.ShutdownSend();
        Assert.Equal("server got 5 bytes", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task Each_connection_is_reported_once_with_its_upstream_bytes_and_flags()
    {
        await using var server = TcpBackend.AnswerAfterEnd("server");
        var resources = Mesh(XdsResources.ToCluster("db"), ("db", server)).ToList();
        resources.Add(XdsResources.TcpListener("240.0.0.2", 3306, XdsResources.ToCluster("gone")));
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        var logs = new LogRecorder();
        await using var proxy = await RunningProxy.StartAsync(plane.Address, loggers: logs);

        using (var client = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, Service))
        {
            await client.SendAsync("12345");
            client.ShutdownSend();
            Assert.Equal("server got 5 bytes", await client.ReadToEndAsync());
        }

        var closed = Assert.Single(await logs.WaitForAsync(501));
        Assert.Contains($"cluster db, upstream 127.0.0.1:{server.Port}, 5 bytes received, 18 bytes sent, flags -", closed);

        Assert.StartsWith("HTTP/1.1 503 ", await RawConnection.TunnelRefusedAsync(proxy.Host.OutboundEndpoint, "240.0.0.2:3306"));

        Assert.Contains("cluster gone, upstream -, 0 bytes received, 0 bytes sent, flags NC", (await logs.WaitForAsync(501, 2))[1]);
        Assert.Equal(2, (await logs.WaitForAsync(500, 2)).Count); // opened once each

        // The same reports feed Istio's TCP metrics on the stats port.
        using var stats = new HttpClient();
        var text = await stats.GetStringAsync($"http://{proxy.Host.StatsEndpoint}/stats/prometheus");
        Assert.Matches(@"istio_tcp_connections_opened_total\{reporter=""source"",[^}]*request_protocol=""tcp""[^}]*response_flags=""-""[^}]*\} 1\b", text);
        Assert.Matches(@"istio_tcp_connections_closed_total\{reporter=""source"",[^}]*response_flags=""-""[^}]*\} 1\b", text);
        Assert.Matches(@"istio_tcp_received_bytes_total\{reporter=""source"",[^}]*response_flags=""-""[^}]*\} 5\b", text);
        Assert.Matches(@"istio_tcp_sent_bytes_total\{reporter=""source"",[^}]*response_flags=""-""[^}]*\} 18\b", text);
        Assert.Matches(@"istio_tcp_connections_opened_total\{[^}]*response_flags=""NC""[^}]*\} 1\b", text);
    }

    [Fact]
    public async Task An_open_connections_bytes_show_in_the_metrics_every_reporting_interval_before_it_closes()
    {
        await using var echo = TcpBackend.Echo("echo");
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(XdsResources.ToCluster("db"), ("db", echo)));
        var time = new ObservedTimeProvider();
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = time });

        using var client = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, Service);
        await client.SendAsync("hello");
        Assert.Equal("hello", await client.ReadAsync(5));
        await time.ArmedAsync(TimeSpan.FromSeconds(5)); // Istio's default tcp_reporting_duration

        // Opened counts at once; the bytes wait for the report (moved on the proxy's clock until the copy loops have counted them).
        var scrape = await PrometheusScrape.GetAsync(proxy.Admin);
        Assert.Equal(1, Tcp(scrape, "istio_tcp_connections_opened_total"));
        Assert.Equal(0, Tcp(scrape, "istio_tcp_connections_closed_total"));
        Assert.Equal(0, Tcp(scrape, "istio_tcp_received_bytes_total"));
        for (var i = 0; i < 100 && (Tcp(scrape, "istio_tcp_received_bytes_total") != 5 || Tcp(scrape, "istio_tcp_sent_bytes_total") != 5); i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            scrape = await PrometheusScrape.GetAsync(proxy.Admin);
        }

        Assert.Equal(5, Tcp(scrape, "istio_tcp_received_bytes_total"));
        Assert.Equal(5, Tcp(scrape, "istio_tcp_sent_bytes_total"));
        Assert.Equal(0, Tcp(scrape, "istio_tcp_connections_closed_total")); // still open

        // The rest is reported at close, each byte once.
        await client.SendAsync("again");
        Assert.Equal("again", await client.ReadAsync(5));
        client.ShutdownSend();
        Assert.Equal(string.Empty, await client.ReadToEndAsync());
        for (var i = 0; i < 100 && Tcp(scrape, "istio_tcp_connections_closed_total") != 1; i++)
        {
            await Task.Yield();
            scrape = await PrometheusScrape.GetAsync(proxy.Admin);
        }

        Assert.Equal(1, Tcp(scrape, "istio_tcp_connections_closed_total"));
        Assert.Equal(10, Tcp(scrape, "istio_tcp_received_bytes_total"));
        Assert.Equal(10, Tcp(scrape, "istio_tcp_sent_bytes_total"));
    }

    [Fact]
    public async Task A_server_that_finishes_sending_still_gets_what_the_client_sends_after()
    {
        await using var server = TcpBackend.FinishFirst("server");
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(XdsResources.ToCluster("db"), ("db", server)));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var client = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, Service);
        Assert.Equal("server done", await client.ReadToEndAsync());
        await client.SendAsync("late words");
        client.ShutdownSend();
        await WaitUntil(() => !server.Received.IsEmpty);
        Assert.Equal("late words", Assert.Single(server.Received));
    }

    [Fact]
    public async Task A_server_that_speaks_first_is_heard_without_the_client_sending_anything()
    {
        await using var smtp = TcpBackend.Greeter("smtp");
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(XdsResources.ToCluster("mail"), ("mail", smtp)));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        // The TCP listener has no inspectors: nothing waits for the client's first bytes.
        using var client = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, Service);
        Assert.Equal("220 smtp ready\r\n", await client.ReadAsync(16));
    }

    [Fact]
    public async Task When_detection_times_out_a_server_first_protocol_goes_on_as_TCP()
    {
        await using var mysql = TcpBackend.Greeter("mysql");
        var resources = Mesh(XdsResources.ToCluster("db"), ("db", mysql)).ToList();
        var listener = resources.OfType<Listener>().Single(l => l.Name == "240.0.0.1_3306");
        Inspect(listener, TimeSpan.FromSeconds(5), continueOnTimeout: true);
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        var time = new ObservedTimeProvider();
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = time });

        using var client = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, Service);
        await time.ArmedAsync(TimeSpan.FromSeconds(5));
        var greeting = client.ReadAsync(17);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(greeting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("220 mysql ready\r\n", await greeting);
    }

    [Fact]
    public async Task When_detection_times_out_without_continue_the_connection_is_closed()
    {
        await using var mysql = TcpBackend.Greeter("mysql");
        var resources = Mesh(XdsResources.ToCluster("db"), ("db", mysql)).ToList();
        Inspect(resources.OfType<Listener>().Single(l => l.Name == "240.0.0.1_3306"), TimeSpan.FromSeconds(5), continueOnTimeout: false);
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        var time = new ObservedTimeProvider();
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = time });

        using var client = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, Service);
        await time.ArmedAsync(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await client.ClosedAsync());
        Assert.Equal(0, mysql.Connections);
    }

    [Fact]
    public async Task An_idle_connection_is_closed_on_the_proxys_clock_and_traffic_keeps_it_open()
    {
        await using var echo = TcpBackend.Echo("echo");
        var proxyConfig = XdsResources.ToCluster("db");
        proxyConfig.IdleTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(30));
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(proxyConfig, ("db", echo)));
        var time = new ObservedTimeProvider();
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = time });

        using var client = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, Service);
        await client.SendAsync("a");
        Assert.Equal("a", await client.ReadAsync(1));
        time.Advance(TimeSpan.FromSeconds(20));
        await client.SendAsync("b");
        Assert.Equal("b", await client.ReadAsync(1));
        time.Advance(TimeSpan.FromSeconds(20)); // 40 s since it opened, 20 s since the last bytes
        await client.SendAsync("c");
        Assert.Equal("c", await client.ReadAsync(1));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(await client.ClosedAsync());
    }

    [Fact]
    public async Task A_failed_upstream_connection_answers_the_CONNECT_with_503_and_closes()
    {
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(XdsResources.ToCluster("db"), ("db", null)));
        var logs = new LogRecorder();
        await using var proxy = await RunningProxy.StartAsync(plane.Address, loggers: logs);

        var answer = await RawConnection.TunnelRefusedAsync(proxy.Host.OutboundEndpoint, Service);
        Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", answer);
        Assert.EndsWith("\r\n\r\nupstream connect error or disconnect/reset before headers. reset reason: connection failure", answer);
        Assert.Contains("flags UF,URX", Assert.Single(await logs.WaitForAsync(501))); // tcp_proxy's flags: connect failed, no attempt left
    }

    [Fact]
    public async Task An_upstream_that_never_answers_is_given_up_after_the_clusters_connect_timeout_on_the_proxys_clock()
    {
        // A listener whose one-place accept queue is taken: the kernel leaves further connection attempts unanswered.
        using var full = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        full.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        full.Listen(0);
        using var filler = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await filler.ConnectAsync(full.LocalEndPoint!);
        var port = ((System.Net.IPEndPoint)full.LocalEndPoint!).Port;
        IMessage[] resources = [.. XdsResources.VirtualOutbound(), XdsResources.TcpListener("240.0.0.1", 3306, XdsResources.ToCluster("db")), XdsResources.EdsCluster("db"), XdsResources.Assignment("db", ("127.0.0.1", port))];
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        var time = new ObservedTimeProvider();
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = time });

        // The CONNECT is answered only once the upstream is settled: here by the timeout, with Envoy's 503 (UF).
        using var client = await RawConnection.AskTunnelAsync(proxy.Host.OutboundEndpoint, Service);
        await time.ArmedAsync(TimeSpan.FromSeconds(10)); // the cluster's connect_timeout
        var answer = client.ReadToEndAsync();
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(answer.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 91\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n" +
            "upstream connect error or disconnect/reset before headers. reset reason: connection timeout",
            await answer);
    }

    [Fact]
    public async Task Unknown_and_empty_clusters_refuse_the_tunnel()
    {
        await using var echo = TcpBackend.Echo("echo");
        var resources = Mesh(XdsResources.ToCluster("missing"), ("db", echo)).ToList();
        resources.Add(XdsResources.TcpListener("240.0.0.2", 3306, XdsResources.ToCluster("BlackHoleCluster")));
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        // No cluster: Envoy's 503 without a body (NC); no host: 503 "no healthy upstream" (UH).
        Assert.Equal("HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n", await RawConnection.TunnelRefusedAsync(proxy.Host.OutboundEndpoint, Service));
        Assert.EndsWith("\r\n\r\nno healthy upstream", await RawConnection.TunnelRefusedAsync(proxy.Host.OutboundEndpoint, "240.0.0.2:3306"));
        Assert.Equal(0, echo.Connections);
    }

    [Fact]
    public async Task A_destination_without_a_listener_passes_through_to_itself_and_the_capture_port_is_a_black_hole()
    {
        await using var echo = TcpBackend.Echo("echo");
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(XdsResources.ToCluster("db")));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using (var client = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, $"127.0.0.1:{echo.Port}"))
        {
            await client.SendAsync("through");
            Assert.Equal("through", await client.ReadAsync(7));
        }

        Assert.StartsWith("HTTP/1.1 503 ", await RawConnection.TunnelRefusedAsync(proxy.Host.OutboundEndpoint, "127.0.0.1:15001"));

        Assert.Equal(1, echo.Connections);
    }

    [Fact]
    public async Task The_inbound_listener_hands_TCP_to_the_workloads_only_port()
    {
        await using var mysql = TcpBackend.Greeter("mysql");
        // Istio's virtualInbound for a workload with one TCP port 3306: the loop guard, then the port's chain.
        var inbound = new Listener
        {
            Name = "virtualInbound",
            Address = XdsResources.Address("0.0.0.0", 15006),
            TrafficDirection = Weft.Xds.Envoy.Config.Core.V3.TrafficDirection.Inbound,
            FilterChains =
            {
                new FilterChain { Name = "virtualInbound-blackhole", FilterChainMatch = new FilterChainMatch { DestinationPort = 15006 }, Filters = { XdsResources.TcpProxyFilter(XdsResources.ToCluster("BlackHoleCluster")) } },
                new FilterChain { Name = "0.0.0.0_3306", FilterChainMatch = new FilterChainMatch { DestinationPort = 3306, TransportProtocol = "raw_buffer" }, Filters = { XdsResources.IstioStats(inbound: true), XdsResources.TcpProxyFilter(XdsResources.ToCluster("inbound|3306||")) } },
            },
        };
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            inbound,
            new Weft.Xds.Envoy.Config.Cluster.V3.Cluster { Name = "BlackHoleCluster", Type = Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.Static },
            XdsResources.StaticCluster("inbound|3306||", ("127.0.0.1", mysql.Port)),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var client = await RawConnection.ConnectAsync(proxy.Host.InboundEndpoint);
        Assert.Equal("220 mysql ready\r\n", await client.ReadAsync(17)); // the server speaks first; nothing waited for the client
        await client.SendAsync("QUIT");
        Assert.Equal("QUIT", await client.ReadAsync(4));
    }

    /// <summary>
    /// virtualOutbound, the service's TCP listener on <see cref="Service"/> with <paramref name="proxy"/>, and an EDS
    /// cluster per backend (a null backend is an endpoint where nothing listens).
    /// </summary>
    internal static IEnumerable<IMessage> Mesh(TcpProxy proxy, params (string Cluster, TcpBackend? Backend)[] backends)
    {
        foreach (var resource in XdsResources.VirtualOutbound())
        {
            yield return resource;
        }

        yield return XdsResources.TcpListener("240.0.0.1", 3306, proxy);
        foreach (var (cluster, backend) in backends)
        {
            yield return XdsResources.EdsCluster(cluster);
            yield return XdsResources.Assignment(cluster, ("127.0.0.1", backend?.Port ?? Ports.Refusing()));
        }
    }

    /// <summary>Runs the HTTP and TLS inspectors on the listener, with a detection timeout.</summary>
    internal static void Inspect(Listener listener, TimeSpan timeout, bool continueOnTimeout)
    {
        listener.ListenerFilters.Add(new ListenerFilter { Name = "envoy.filters.listener.tls_inspector", TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Listener.TlsInspector.V3.TlsInspector()) });
        listener.ListenerFilters.Add(new ListenerFilter { Name = "envoy.filters.listener.http_inspector", TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Listener.HttpInspector.V3.HttpInspector()) });
        listener.ListenerFiltersTimeout = Duration.FromTimeSpan(timeout);
        listener.ContinueOnListenerFiltersTimeout = continueOnTimeout;
    }

    /// <summary>The value of an outbound TCP metric, over its series (0 when there is none yet).</summary>
    private static double Tcp(PrometheusScrape scrape, string metric) =>
        scrape.Find(metric, ("reporter", "source")).Sum(s => s.Value);

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var bound = new CancellationTokenSource(RawConnection.Wait);
        while (!condition())
        {
            await Task.Delay(10, bound.Token);
        }
    }
}
