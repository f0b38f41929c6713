using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Listener.OriginalDst.V3;
using Weft.Xds.Envoy.Extensions.Filters.Listener.OriginalSrc.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Proxy.Tests.Listeners;

/// <summary>
/// Istio's TPROXY interception for real: an iptables TPROXY rule diverts connections for a service address to the
/// proxy's inbound capture socket, which the configuration's <c>transparent</c> virtualInbound makes able to take them;
/// the connection's own address is its original destination, and its original_src filter makes the upstream
/// connections from the caller's address, so the workload sees who called it.
/// </summary>
public sealed class TransparentCaptureTests
{
    [SkippableFact]
    public async Task Diverted_connections_reach_the_chain_of_their_destination_and_the_workload_sees_the_callers_address()
    {
        var unavailable = CaptureRule.Unavailable();
        Skip.If(unavailable is not null, unavailable);
        await using var db = TcpBackend.Caller("db");
        await using var web = await Backend.StartAsync("web");

        // Loopback addresses of their own: the service the rules divert, and a caller that is neither it nor the proxy.
        var octets = $"{Random.Shared.Next(64, 250)}.{Random.Shared.Next(1, 250)}";
        var service = $"127.{octets}.{Random.Shared.Next(1, 120)}";
        var caller = IPAddress.Parse($"127.{octets}.{Random.Shared.Next(130, 250)}");
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            VirtualInbound(originalSource: true),
            XdsResources.Routes("inbound|8080||", ("*", "web")),
            XdsResources.EdsCluster("web"), XdsResources.Assignment("web", ("127.0.0.1", web.Port)),
            XdsResources.EdsCluster("db"), XdsResources.Assignment("db", ("127.0.0.1", db.Port)),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        var inbound = proxy.Host.InboundEndpoint.Port;
        var (tcpRule, refusal) = await CaptureRule.TproxyAsync(service, 3306, inbound);
        Skip.If(tcpRule is null, refusal);
        await using (tcpRule)
        {
            var (httpRule, httpRefusal) = await CaptureRule.TproxyAsync(service, 8080, inbound);
            Assert.True(httpRule is not null, httpRefusal);
            await using (httpRule)
            {
                // TCP to the service's port 3306: the 3306 chain proxies it to db, which sees the caller's address.
                using (var socket = await ConnectFromAsync(caller, new IPEndPoint(IPAddress.Parse(service), 3306)))
                {
                    Assert.Equal(caller.ToString(), await ReadLineAsync(socket));
                    await socket.SendAsync(Encoding.ASCII.GetBytes("diverted"));
                    Assert.Equal("diverted", await ReadAsync(socket, 8));
                }

                // HTTP to port 8080 of the same address: the 8080 chain routes it to web, called from the caller's address;
                // then from a second caller, whose request must not ride the first caller's pooled upstream connection.
                var second = IPAddress.Parse($"127.{octets}.{Random.Shared.Next(121, 130)}");
                foreach (var (from, path) in new[] { (caller, "/orders"), (second, "/stock") })
                {
                    using var handler = new SocketsHttpHandler { ConnectCallback = async (context, cancel) => new NetworkStream(await ConnectFromAsync(from, context.DnsEndPoint, cancel), ownsSocket: true) };
                    using var http = new HttpClient(handler);
                    using var response = await http.GetAsync($"http://{service}:8080{path}");
                    Assert.Equal("web", await response.Content.ReadAsStringAsync());
                }

                Assert.Equal(
                    [("/orders", caller.ToString()), ("/stock", second.ToString())],
                    web.Requests.Select(r => (r.Target, r.RemoteAddress)));
            }
        }
    }

    [SkippableFact]
    public async Task Without_original_src_the_workload_sees_the_proxy()
    {
        var unavailable = CaptureRule.Unavailable();
        Skip.If(unavailable is not null, unavailable);
        await using var db = TcpBackend.Caller("db");
        var octets = $"{Random.Shared.Next(64, 250)}.{Random.Shared.Next(1, 250)}";
        var service = $"127.{octets}.{Random.Shared.Next(1, 120)}";
        var caller = IPAddress.Parse($"127.{octets}.{Random.Shared.Next(130, 250)}");
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            VirtualInbound(originalSource: false),
            XdsResources.Routes("inbound|8080||", ("*", "db")),
            XdsResources.EdsCluster("db"), XdsResources.Assignment("db", ("127.0.0.1", db.Port)),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        var (rule, refusal) = await CaptureRule.TproxyAsync(service, 3306, proxy.Host.InboundEndpoint.Port);
        Skip.If(rule is null, refusal);
        await using (rule)
        {
            using var socket = await ConnectFromAsync(caller, new IPEndPoint(IPAddress.Parse(service), 3306));
            Assert.Equal("127.0.0.1", await ReadLineAsync(socket));
        }
    }

    [SkippableFact]
    public async Task A_proxy_that_says_it_is_under_TPROXY_gets_a_transparent_capture_from_the_control_plane()
    {
        var unavailable = CaptureRule.Unavailable();
        Skip.If(unavailable is not null, unavailable);
        await using var app = await Backend.StartAsync("app");
        var octets = $"{Random.Shared.Next(64, 250)}.{Random.Shared.Next(1, 250)}";
        var workload = $"127.{octets}.{Random.Shared.Next(1, 120)}";
        var caller = IPAddress.Parse($"127.{octets}.{Random.Shared.Next(130, 250)}");
        var directory = Directory.CreateTempSubdirectory("weft-tproxy-").FullName;
        try
        {
            // The workload serves port 8080 on its loopback; its Sidecar's ingress sends what arrives for 8080 there.
            File.WriteAllText(Path.Combine(directory, "sidecar.yaml"), string.Create(CultureInfo.InvariantCulture, $$"""
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: ingress, namespace: default}
                spec:
                  ingress:
                  - port: {number: 8080, protocol: HTTP, name: http}
                    defaultEndpoint: 127.0.0.1:{{app.Port}}
                """));
            await using var plane = await Weft.Control.Hosting.ControlPlane.StartAsync(new Weft.Control.Hosting.ControlPlaneOptions { ConfigDirectory = directory, XdsAddress = "127.0.0.1:0", HttpAddress = "127.0.0.1:0" }, NullLoggerFactory.Instance);
            await using var proxy = await RunningProxy.StartAsync(plane.XdsEndpoint.ToString(), o => o with { InterceptionMode = "TPROXY" }, nodeId: $"sidecar~{workload}~app.default~default.svc.cluster.local");
            var (rule, refusal) = await CaptureRule.TproxyAsync(workload, 8080, proxy.Host.InboundEndpoint.Port);
            Skip.If(rule is null, refusal);
            await using (rule)
            {
                using var handler = new SocketsHttpHandler { ConnectCallback = async (context, cancel) => new NetworkStream(await ConnectFromAsync(caller, context.DnsEndPoint, cancel), ownsSocket: true) };
                using var http = new HttpClient(handler);
                using var response = await http.GetAsync($"http://{workload}:8080/items");
                Assert.Equal("app", await response.Content.ReadAsStringAsync());
                var received = Assert.Single(app.Requests);
                Assert.Equal("/items", received.Target);
                Assert.Equal(caller.ToString(), received.RemoteAddress);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Istio's virtualInbound under TPROXY: transparent, original_dst and original_src; a TCP chain for 3306 and an HTTP one for 8080.</summary>
    private static Listener VirtualInbound(bool originalSource)
    {
        var listener = new Listener
        {
            Name = "virtualInbound",
            Address = XdsResources.Address("0.0.0.0", 15006),
            Transparent = true,
            TrafficDirection = TrafficDirection.Inbound,
            ListenerFilters = { new ListenerFilter { Name = "envoy.filters.listener.original_dst", TypedConfig = Any.Pack(new OriginalDst()) } },
            FilterChains =
            {
                new FilterChain
                {
                    Name = "0.0.0.0_3306",
                    FilterChainMatch = new FilterChainMatch { DestinationPort = 3306 },
                    Filters = { XdsResources.TcpProxyFilter(XdsResources.ToCluster("db")) },
                },
                new FilterChain
                {
                    Name = "0.0.0.0_8080",
                    FilterChainMatch = new FilterChainMatch { DestinationPort = 8080 },
                    Filters =
                    {
                        XdsResources.ConnectionManagerFilter(new HttpConnectionManager
                        {
                            StatPrefix = "inbound_0.0.0.0_8080",
                            Rds = new Rds { RouteConfigName = "inbound|8080||", ConfigSource = new ConfigSource { Ads = new AggregatedConfigSource() } },
                            HttpFilters = { new HttpFilter { Name = "envoy.filters.http.router", TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Http.Router.V3.Router()) } },
                        }),
                    },
                },
            },
        };
        if (originalSource)
        {
            listener.ListenerFilters.Add(new ListenerFilter { Name = "envoy.filters.listener.original_src", TypedConfig = Any.Pack(new OriginalSrc { Mark = 1337 }) });
        }

        return listener;
    }

    private static async Task<Socket> ConnectFromAsync(IPAddress source, EndPoint destination, CancellationToken cancel = default)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            deadline.CancelAfter(RawConnection.Wait);
            await socket.ConnectAsync(destination, deadline.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The first line the backend says (without its newline).</summary>
    private static async Task<string> ReadLineAsync(Socket socket)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        using var deadline = new CancellationTokenSource(RawConnection.Wait);
        while (await socket.ReceiveAsync(one, SocketFlags.None, deadline.Token) == 1 && one[0] != (byte)'\n')
        {
            line.Append((char)one[0]);
        }

        return line.ToString();
    }

    private static async Task<string> ReadAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        using var deadline = new CancellationTokenSource(RawConnection.Wait);
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, deadline.Token);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return Encoding.ASCII.GetString(buffer, 0, read);
    }
}
