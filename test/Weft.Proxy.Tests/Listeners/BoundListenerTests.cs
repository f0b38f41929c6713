using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Tests.Tcp;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Proxy.Tests.Listeners;

/// <summary>
/// Listeners the control plane asks the proxy to bind (<c>bind_to_port</c>): TLS passed through by SNI next to HTTP on
/// one socket, and a Sidecar ingress listener from a real control plane that forwards to its defaultEndpoint and goes
/// away with it.
/// </summary>
public sealed class BoundListenerTests
{
    [Fact]
    public async Task TLS_is_passed_through_by_server_name_and_HTTP_is_served_on_the_same_listener()
    {
        await using var a = TlsBackend.Start("a.example");
        await using var b = TlsBackend.Start("b.example");
        await using var web = await Backend.StartAsync("web");
        var listener = new Listener
        {
            Name = "shared",
            Address = XdsResources.Address("127.0.0.1", 0),
            BindToPort = true,
            TrafficDirection = TrafficDirection.Outbound,
            FilterChains =
            {
                TlsChain("a.example", "a"),
                TlsChain("b.example", "b"),
                new FilterChain
                {
                    Name = "http",
                    FilterChainMatch = new FilterChainMatch { TransportProtocol = "raw_buffer", ApplicationProtocols = { "http/1.1", "h2c" } },
                    Filters = { XdsResources.HttpListener(80, "web").FilterChains[0].Filters[0] },
                },
            },
        };
        // Istio's inspectors with its default detection timeout (0: wait for the client).
        TcpProxyTests.Inspect(listener, TimeSpan.Zero, continueOnTimeout: true);
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            listener,
            XdsResources.Routes("web", ("*", "web")),
            XdsResources.EdsCluster("a"), XdsResources.Assignment("a", ("127.0.0.1", a.Port)),
            XdsResources.EdsCluster("b"), XdsResources.Assignment("b", ("127.0.0.1", b.Port)),
            XdsResources.EdsCluster("web"), XdsResources.Assignment("web", ("127.0.0.1", web.Port)),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        var bound = (await proxy.Host.WaitForBoundListenersAsync(l => l.ContainsKey("shared")).WaitAsync(RawConnection.Wait))["shared"];
        Assert.NotEqual(0, ((IPEndPoint)bound).Port);

        var (answerA, certificateA) = await TlsBackend.AskAsync(bound, "a.example", "hello", a.Certificate, b.Certificate);
        Assert.Equal("a.example heard hello", answerA);
        Assert.Equal(a.Certificate.Thumbprint, certificateA.Thumbprint); // the handshake was with the backend itself
        var (answerB, certificateB) = await TlsBackend.AskAsync(bound, "b.example", "hi", a.Certificate, b.Certificate);
        Assert.Equal("b.example heard hi", answerB);
        Assert.Equal(b.Certificate.Thumbprint, certificateB.Thumbprint);
        await Assert.ThrowsAnyAsync<IOException>(() => TlsBackend.AskAsync(bound, "c.example", "anyone?", a.Certificate, b.Certificate)); // no chain: closed

        using var http = new HttpClient();
        Assert.Equal("web", await http.GetStringAsync($"http://{bound}/page"));
        using var h2c = new HttpRequestMessage(HttpMethod.Get, $"http://{bound}/page") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await http.SendAsync(h2c);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("web", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, web.Requests.Count);
    }

    [Fact]
    public async Task A_listener_whose_port_is_taken_is_NACKed_alone_while_the_others_apply_and_binds_once_a_push_finds_it_free()
    {
        await using var web = await Backend.StartAsync("web");
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var takenPort = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var freePort = Ports.Free();
        IMessage[] Resources() =>
        [
            BoundHttp("free", freePort), BoundHttp("taken", takenPort),
            XdsResources.Routes("web", ("*", "web")),
            XdsResources.EdsCluster("web"), XdsResources.Assignment("web", ("127.0.0.1", web.Port)),
        ];
        await using var plane = await ScriptedControlPlane.StartAsync(Resources());
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        // Envoy's LDS: the listener that cannot bind is refused with the reason, the other one serves.
        var bound = await proxy.Host.WaitForBoundListenersAsync(l => l.ContainsKey("free")).WaitAsync(RawConnection.Wait);
        using var http = new HttpClient();
        Assert.Equal("web", await http.GetStringAsync($"http://127.0.0.1:{freePort}/"));
        Assert.False(bound.ContainsKey("taken"));
        var nack = Assert.Single(plane.Rejections, r => r.TypeUrl == Weft.Xds.TypeUrls.Listener);
        Assert.Contains($"taken: cannot bind '127.0.0.1:{takenPort}'", nack.ErrorDetail.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("free", nack.ErrorDetail.Message, StringComparison.Ordinal);
        Assert.Equal(string.Empty, nack.VersionInfo); // nothing of LDS acknowledged yet

        squatter.Stop();
        await plane.PushAsync(Resources());
        await proxy.Host.WaitForBoundListenersAsync(l => l.ContainsKey("taken")).WaitAsync(RawConnection.Wait);
        Assert.Equal("web", await http.GetStringAsync($"http://127.0.0.1:{takenPort}/"));
        Assert.Single(plane.Rejections, r => r.TypeUrl == Weft.Xds.TypeUrls.Listener);
    }

    private static Listener BoundHttp(string name, int port) => new()
    {
        Name = name,
        Address = XdsResources.Address("127.0.0.1", port),
        BindToPort = true,
        TrafficDirection = TrafficDirection.Outbound,
        FilterChains = { new FilterChain { Filters = { XdsResources.HttpListener(80, "web").FilterChains[0].Filters[0] } } },
    };

    [Fact]
    public async Task A_Sidecar_ingress_listener_forwards_to_its_default_endpoint_and_drains_when_it_is_dropped()
    {
        await using var echo = TcpBackend.Echo("app-tcp");
        await using var app = await Backend.StartAsync("app-http");
        var tcpPort = Ports.Free();
        var httpPort = Ports.Free();
        var directory = Directory.CreateTempSubdirectory("weft-ingress-").FullName;
        try
        {
            WriteSidecar(directory, (tcpPort, "TCP", echo.Port), (httpPort, "HTTP", app.Port));
            await using var plane = await Weft.Control.Hosting.ControlPlane.StartAsync(new Weft.Control.Hosting.ControlPlaneOptions { ConfigDirectory = directory, XdsAddress = "127.0.0.1:0", HttpAddress = "127.0.0.1:0" }, NullLoggerFactory.Instance);
            var time = new ObservedTimeProvider();
            await using var proxy = await RunningProxy.StartAsync(plane.XdsEndpoint.ToString(), o => o with { Time = time }, nodeId: "sidecar~127.0.0.1~app.default~default.svc.cluster.local");
            var tcpListener = $"127.0.0.1_{tcpPort}";
            var httpListener = $"127.0.0.1_{httpPort}";
            await proxy.Host.WaitForBoundListenersAsync(l => l.ContainsKey(tcpListener) && l.ContainsKey(httpListener)).WaitAsync(TimeSpan.FromSeconds(15));

            using var open = await RawConnection.ConnectAsync(new IPEndPoint(IPAddress.Loopback, tcpPort));
            await open.SendAsync("ping");
            Assert.Equal("ping", await open.ReadAsync(4));
            using var http = new HttpClient();
            Assert.Equal("app-http", await http.GetStringAsync($"http://127.0.0.1:{httpPort}/"));

            WriteSidecar(directory, (httpPort, "HTTP", app.Port));
            await proxy.Host.WaitForBoundListenersAsync(l => !l.ContainsKey(tcpListener)).WaitAsync(TimeSpan.FromSeconds(15));
            Assert.True(proxy.Host.BoundListeners.ContainsKey(httpListener));
            var refused = await Assert.ThrowsAsync<SocketException>(() => RawConnection.ConnectAsync(new IPEndPoint(IPAddress.Loopback, tcpPort)));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

            // The connection it had keeps working until the drain time is over.
            await open.SendAsync("pong");
            Assert.Equal("pong", await open.ReadAsync(4));
            await time.ArmedAsync(proxy.Host.Options.DrainTimeout);
            time.Advance(proxy.Host.Options.DrainTimeout);
            Assert.True(await open.ClosedAsync());
            Assert.Equal("app-http", await http.GetStringAsync($"http://127.0.0.1:{httpPort}/"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_Sidecar_ingress_listener_forwards_to_a_unix_socket_default_endpoint()
    {
        var directory = Directory.CreateTempSubdirectory("weft-ingress-uds-").FullName;
        try
        {
            var socket = Path.Combine(directory, "app.sock");
            await using var app = await Backend.StartAsync("app-on-socket", unixSocket: socket);
            var port = Ports.Free();
            WriteSidecar(directory, (port, "HTTP", "unix://" + socket));
            await using var plane = await Weft.Control.Hosting.ControlPlane.StartAsync(new Weft.Control.Hosting.ControlPlaneOptions { ConfigDirectory = directory, XdsAddress = "127.0.0.1:0", HttpAddress = "127.0.0.1:0" }, NullLoggerFactory.Instance);
            await using var proxy = await RunningProxy.StartAsync(plane.XdsEndpoint.ToString(), nodeId: "sidecar~127.0.0.1~app.default~default.svc.cluster.local");
            await proxy.Host.WaitForBoundListenersAsync(l => l.ContainsKey($"127.0.0.1_{port}")).WaitAsync(TimeSpan.FromSeconds(15));

            using var http = new HttpClient();
            Assert.Equal("app-on-socket", await http.GetStringAsync($"http://127.0.0.1:{port}/"));
            Assert.Single(app.Requests);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_unix_socket_listener_proxies_to_its_cluster_and_its_socket_file_goes_with_it()
    {
        await using var echo = TcpBackend.Echo("echo");
        var path = Path.Combine(Path.GetTempPath(), $"weft-{Guid.NewGuid():N}.sock");
        var listener = new Listener
        {
            Name = "unix",
            Address = new Address { Pipe = new Pipe { Path = path } },
            BindToPort = true,
            TrafficDirection = TrafficDirection.Outbound,
            FilterChains = { new FilterChain { Filters = { XdsResources.TcpProxyFilter(XdsResources.ToCluster("echo")) } } },
        };
        IMessage[] cluster = [XdsResources.EdsCluster("echo"), XdsResources.Assignment("echo", ("127.0.0.1", echo.Port))];
        await using var plane = await ScriptedControlPlane.StartAsync([listener, .. cluster]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        await proxy.Host.WaitForBoundListenersAsync(l => l.ContainsKey("unix")).WaitAsync(RawConnection.Wait);

        using (var client = await RawConnection.ConnectAsync(new UnixDomainSocketEndPoint(path)))
        {
            await client.SendAsync("over a unix socket");
            Assert.Equal("over a unix socket", await client.ReadAsync(18));
        }

        await plane.PushAsync([XdsResources.HttpListener(8080), XdsResources.Routes("8080"), .. cluster]);
        await proxy.Host.WaitForBoundListenersAsync(l => !l.ContainsKey("unix")).WaitAsync(RawConnection.Wait);
        Assert.False(File.Exists(path));
    }

    private static FilterChain TlsChain(string serverName, string cluster) => new()
    {
        Name = serverName,
        FilterChainMatch = new FilterChainMatch { ServerNames = { serverName }, TransportProtocol = "tls" },
        Filters = { XdsResources.TcpProxyFilter(XdsResources.ToCluster(cluster)) },
    };

    /// <summary>A namespace-wide Sidecar whose ingress binds each port on 127.0.0.1 (captureMode NONE) for a local app port.</summary>
    private static void WriteSidecar(string directory, params (int Port, string Protocol, int AppPort)[] ports) =>
        WriteSidecar(directory, ports.Select(p => (p.Port, p.Protocol, string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{p.AppPort}"))).ToArray());

    private static void WriteSidecar(string directory, params (int Port, string Protocol, string Endpoint)[] ports)
    {
        var entries = string.Concat(ports.Select(p => string.Create(CultureInfo.InvariantCulture, $"""
              - port: {"{"}number: {p.Port}, protocol: {p.Protocol}, name: {p.Protocol.ToLowerInvariant()}-{p.Port}{"}"}
                defaultEndpoint: {p.Endpoint}
                captureMode: NONE
                bind: 127.0.0.1

            """)));
        var yaml = $"""
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {"{"}name: ingress, namespace: default{"}"}
            spec:
              ingress:
            {entries}
            """;
        var target = Path.Combine(directory, "sidecar.yaml");
        File.WriteAllText(target + ".tmp", yaml);
        File.Move(target + ".tmp", target, overwrite: true);
    }
}
