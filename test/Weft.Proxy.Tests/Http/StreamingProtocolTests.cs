using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Service.Discovery.V3;
using HttpProtocolOptions = Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;

namespace Weft.Proxy.Tests.Http;

/// <summary>
/// Long-lived exchanges through the proxy: a WebSocket upgraded end to end when the connection manager allows it, and
/// gRPC over h2c both ways with streaming in both directions, status and trailers carried back to the client.
/// </summary>
public sealed class StreamingProtocolTests
{
    private const string Host = "svc:8080";

    [Fact]
    public async Task A_websocket_upgrade_is_carried_through_and_frames_flow_both_ways()
    {
        await using var backend = await EchoWebSocketBackend.StartAsync();
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            WithUpgrades(XdsResources.HttpListener(8080), "websocket"),
            XdsResources.Routes("8080", ("svc", "ws")),
            XdsResources.EdsCluster("ws"),
            XdsResources.Assignment("ws", ("127.0.0.1", backend.Port)),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        var (status, socket) = await UpgradeAsync(proxy.Host.OutboundEndpoint);
        Assert.Equal(101, status);
        using (socket)
        {
            for (var i = 0; i < 3; i++)
            {
                var text = $"frame {i}";
                await socket!.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                var buffer = new byte[256];
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
                Assert.Equal("echo: " + text, Encoding.UTF8.GetString(buffer, 0, received.Count));
            }

            await socket!.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        }
    }

    [Fact]
    public async Task A_websocket_upgrade_the_connection_manager_does_not_allow_is_refused_with_403()
    {
        await using var backend = await EchoWebSocketBackend.StartAsync();
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            XdsResources.HttpListener(8080),
            XdsResources.Routes("8080", ("svc", "ws")),
            XdsResources.EdsCluster("ws"),
            XdsResources.Assignment("ws", ("127.0.0.1", backend.Port)),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        var (status, socket) = await UpgradeAsync(proxy.Host.OutboundEndpoint);
        socket?.Dispose();
        Assert.Equal(403, status);
        Assert.Equal(0, backend.Upgrades);
    }

    [Fact]
    public async Task Grpc_streams_both_ways_and_the_status_and_trailers_come_back()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            XdsResources.HttpListener(8080),
            XdsResources.Routes("8080", ("svc", "grpc")),
            Http2(XdsResources.EdsCluster("grpc")),
            XdsResources.Assignment("grpc", ("127.0.0.1", backend.Port)),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var channel = GrpcChannel.ForAddress($"http://{proxy.Host.OutboundEndpoint}", new GrpcChannelOptions
        {
            HttpHandler = new AuthorityHandler(Host, new SocketsHttpHandler { UseProxy = false }),
        });
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel);
        using var call = client.StreamAggregatedResources();

        // Each request is answered before the next is sent: both directions stream on one call.
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new DiscoveryRequest { TypeUrl = "t", VersionInfo = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal($"echo {i}", call.ResponseStream.Current.VersionInfo);
        }

        await call.RequestStream.CompleteAsync();
        var error = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("5 requests, then the client finished", error.Status.Detail);
        Assert.Equal("5", call.GetTrailers().GetValue("x-requests"));
        Assert.Equal("HTTP/2", Assert.Single(backend.Protocols.Distinct()));
    }

    private static Listener WithUpgrades(Listener listener, params string[] upgrades)
    {
        var filter = listener.FilterChains[0].Filters[0];
        var hcm = filter.TypedConfig.Unpack<HttpConnectionManager>();
        foreach (var upgrade in upgrades)
        {
            hcm.UpgradeConfigs.Add(new HttpConnectionManager.Types.UpgradeConfig { UpgradeType = upgrade });
        }

        filter.TypedConfig = Any.Pack(hcm);
        return listener;
    }

    private static Cluster Http2(Cluster cluster)
    {
        cluster.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"] = Any.Pack(new HttpProtocolOptions
        {
            ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig { Http2ProtocolOptions = new Weft.Xds.Envoy.Config.Core.V3.Http2ProtocolOptions() },
        });
        return cluster;
    }

    /// <summary>Sends a WebSocket handshake with Host svc:8080; the status, and on 101 a client WebSocket over the connection.</summary>
    private static async Task<(int Status, WebSocket? Socket)> UpgradeAsync(IPEndPoint proxy)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(proxy);
        var stream = tcp.GetStream();
        var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /echo HTTP/1.1\r\nHost: {Host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));

        // Read the response head byte by byte, so no frame after it is consumed here.
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one).AsTask().WaitAsync(TimeSpan.FromSeconds(10)) == 0)
            {
                break;
            }

            head.Append((char)one[0]);
        }

        var text = head.ToString();
        var status = text.Length > 12 ? int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (status != 101)
        {
            tcp.Dispose();
            return (status, null);
        }

        return (status, WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = Timeout.InfiniteTimeSpan }));
    }

    /// <summary>Sets the authority the proxy routes by, whatever address the channel dials.</summary>
    private sealed class AuthorityHandler(string authority, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Host = authority;
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A WebSocket server that answers each text frame with "echo: " and the frame.</summary>
    private sealed class EchoWebSocketBackend : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _upgrades;

        private EchoWebSocketBackend(WebApplication app) => _app = app;

        public int Port { get; private set; }

        public int Upgrades => Volatile.Read(ref _upgrades);

        public static async Task<EchoWebSocketBackend> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var backend = new EchoWebSocketBackend(app);
            app.UseWebSockets();
            app.Run(async context =>
            {
                if (!context.WebSockets.IsWebSocketRequest)
                {
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    return;
                }

                Interlocked.Increment(ref backend._upgrades);
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                var buffer = new byte[256];
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                        return;
                    }

                    var reply = Encoding.UTF8.GetBytes("echo: " + Encoding.UTF8.GetString(buffer, 0, received.Count));
                    await socket.SendAsync(reply, WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted);
                }
            });
            await app.StartAsync();
            backend.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
            return backend;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>A gRPC server (h2c) whose ADS method echoes each request's version and ends with a status and a trailer.</summary>
    private sealed class GrpcBackend : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private GrpcBackend(WebApplication app) => _app = app;

        public int Port { get; private set; }

        public System.Collections.Concurrent.ConcurrentQueue<string> Protocols { get; } = new();

        public static async Task<GrpcBackend> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
            builder.Services.AddGrpc();
            var app = builder.Build();
            var backend = new GrpcBackend(app);
            app.Use(async (context, next) =>
            {
                backend.Protocols.Enqueue(context.Request.Protocol);
                await next(context);
            });
            app.MapGrpcService<EchoService>();
            await app.StartAsync();
            backend.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
            return backend;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private sealed class EchoService : AggregatedDiscoveryService.AggregatedDiscoveryServiceBase
    {
        public override async Task StreamAggregatedResources(IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<DiscoveryResponse> responseStream, ServerCallContext context)
        {
            var count = 0;
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                count++;
                await responseStream.WriteAsync(new DiscoveryResponse { VersionInfo = "echo " + requestStream.Current.VersionInfo });
            }

            context.ResponseTrailers.Add("x-requests", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{count} requests, then the client finished"));
        }
    }
}
