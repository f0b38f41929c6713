using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Service.Auth.V3;
using NetworkExtAuthz = Weft.Xds.Envoy.Extensions.Filters.Network.ExtAuthz.V3.ExtAuthz;

namespace Weft.Proxy.Tests.Authorization;

/// <summary>
/// Envoy's network ext_authz filter on TCP chains (Istio's CUSTOM action with a gRPC provider on a TCP port): once per
/// connection, before anything is forwarded, a real gRPC authorization service is asked about the connection's two
/// ends; OK lets it through, a denial closes it, a failed call follows <c>failure_mode_allow</c>. Counted as
/// <c>weft_ext_authz_total</c>, as the HTTP filter's checks are.
/// </summary>
public sealed class NetworkExtAuthzTests
{
    private const string Service = "240.0.0.1:3306";

    [Fact]
    public async Task An_allowed_connection_is_proxied_and_the_service_was_asked_once_about_its_two_ends()
    {
        await using var echo = TcpBackend.Echo("echo");
        await using var authz = await GrpcAuthzServer.StartAsync(_ => GrpcAuthzServer.Allow());
        await using var mesh = await StartAsync(echo, authz, failureModeAllow: false);

        using (var client = await RawConnection.TunnelAsync(mesh.Proxy.Host.OutboundEndpoint, Service))
        {
            await client.SendAsync("hello");
            Assert.Equal("hello", await client.ReadAsync(5));
            await client.SendAsync(" again");
            Assert.Equal(" again", await client.ReadAsync(6));
        }

        var check = Assert.Single(authz.Checks).Attributes;
        Assert.Equal("127.0.0.1", check.Source.Address.SocketAddress.Address);
        Assert.True(check.Source.Address.SocketAddress.PortValue > 0);
        Assert.Equal("240.0.0.1", check.Destination.Address.SocketAddress.Address);
        Assert.Equal(3306u, check.Destination.Address.SocketAddress.PortValue);
        Assert.Null(check.Request);
        Assert.Equal("authz.example:9000", Assert.Single(authz.Authorities));
        Assert.Contains("weft_ext_authz_total{stat=\"tcp.ext_authz.ok\"} 1", await mesh.StatsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_denied_connection_is_closed_before_anything_reaches_the_backend()
    {
        await using var echo = TcpBackend.Echo("echo");
        await using var authz = await GrpcAuthzServer.StartAsync(_ => GrpcAuthzServer.Deny());
        var log = Path.Combine(Path.GetTempPath(), "weft-ext-authz-" + Guid.NewGuid().ToString("N")[..8] + ".log");
        await using var mesh = await StartAsync(echo, authz, failureModeAllow: true, log);

        // The explicit tunnel is refused before it opens (a captured connection is closed).
        var answer = await RawConnection.TunnelRefusedAsync(mesh.Proxy.Host.OutboundEndpoint, Service);
        Assert.StartsWith("HTTP/1.1 403 ", answer, StringComparison.Ordinal);
        Assert.Equal(0, echo.Connections);
        Assert.Single(authz.Checks);
        Assert.Contains("weft_ext_authz_total{stat=\"tcp.ext_authz.denied\"} 1", await mesh.StatsAsync(), StringComparison.Ordinal);

        // The access log has the connection, flagged as Envoy's network ext_authz flags it.
        await mesh.Proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(RawConnection.Wait);
        var line = Assert.Single(await File.ReadAllLinesAsync(log));
        File.Delete(log);
        Assert.Contains("\"- - -\" 0 UAEX ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_call_closes_the_connection_unless_failure_mode_allow()
    {
        await using var echo = TcpBackend.Echo("echo");
        await using var authz = await GrpcAuthzServer.StartAsync(_ => throw new RpcException(new Status(StatusCode.Unavailable, "policy engine down")));

        await using (var closed = await StartAsync(echo, authz, failureModeAllow: false))
        {
            var answer = await RawConnection.TunnelRefusedAsync(closed.Proxy.Host.OutboundEndpoint, Service);
            Assert.StartsWith("HTTP/1.1 403 ", answer, StringComparison.Ordinal);
            Assert.Equal(0, echo.Connections);
            Assert.Contains("weft_ext_authz_total{stat=\"tcp.ext_authz.error\"} 1", await closed.StatsAsync(), StringComparison.Ordinal);
        }

        await using var open = await StartAsync(echo, authz, failureModeAllow: true);
        using (var client = await RawConnection.TunnelAsync(open.Proxy.Host.OutboundEndpoint, Service))
        {
            await client.SendAsync("hello");
            Assert.Equal("hello", await client.ReadAsync(5));
        }

        var stats = await open.StatsAsync();
        Assert.Contains("weft_ext_authz_total{stat=\"tcp.ext_authz.error\"} 1", stats, StringComparison.Ordinal);
        Assert.Contains("weft_ext_authz_total{stat=\"tcp.ext_authz.failure_mode_allowed\"} 1", stats, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_mutual_tls_the_check_names_both_principals_and_carries_the_client_certificate()
    {
        await using var echo = TcpBackend.Echo("echo");
        await using var authz = await GrpcAuthzServer.StartAsync(_ => GrpcAuthzServer.Allow());
        await using var ca = await MeshCa.StartAsync();

        var serverResources = MtlsResources.ServerInbound(echo.Port, tcp: true).ToList();
        var chain = ((Listener)serverResources[0]).FilterChains[0];
        chain.Filters.Insert(0, Filter(failureModeAllow: false, includePeerCertificate: true));
        serverResources.Add(XdsResources.StaticCluster("authz", ("127.0.0.1", authz.Port)));
        await using var serverPlane = await ScriptedControlPlane.StartAsync(serverResources);
        await using var server = await RunningProxy.StartAsync(serverPlane.Address, ca.Identity("server"), nodeId: MeshCa.ServerNode);
        await using var clientPlane = await ScriptedControlPlane.StartAsync(MtlsResources.ClientOutbound(server.Host.InboundEndpoint.Port, tcp: true));
        await using var client = await RunningProxy.StartAsync(clientPlane.Address, ca.Identity("client"), nodeId: MeshCa.ClientNode);

        using (var tunnel = await RawConnection.TunnelAsync(client.Host.OutboundEndpoint, $"{MtlsResources.ServiceHost}:9080"))
        {
            await tunnel.SendAsync("ping");
            Assert.Equal("ping", await tunnel.ReadAsync(4));
        }

        var check = Assert.Single(authz.Checks).Attributes;
        Assert.Equal(MeshCa.ClientId, check.Source.Principal);
        Assert.Equal(MeshCa.ServerId, check.Destination.Principal);
        Assert.Equal($"outbound_.9080_._.{MtlsResources.ServiceHost}", check.Destination.Service);
        var pem = Uri.UnescapeDataString(check.Source.Certificate);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", pem, StringComparison.Ordinal);
        using var presented = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
        Assert.Contains(MeshCa.ClientId, presented.Extensions["2.5.29.17"]!.Format(false), StringComparison.Ordinal);
    }

    [Fact]
    public void A_filter_without_a_grpc_service_is_refused_since_the_network_filter_speaks_grpc_only()
    {
        var chain = new FilterChain { Filters = { new Filter { Name = "envoy.filters.network.ext_authz", TypedConfig = Any.Pack(new NetworkExtAuthz { StatPrefix = "tcp." }) }, XdsResources.TcpProxyFilter(XdsResources.ToCluster("db")) } };
        var listener = new Listener { Name = "l", Address = XdsResources.Address("0.0.0.0", 3306), FilterChains = { chain } };
        var e = Assert.Throws<Weft.Proxy.Xds.XdsRejectedException>(() => Weft.Proxy.Snapshot.Listeners.ListenerCompiler.Compile(listener));
        Assert.Contains("envoy.filters.network.ext_authz", e.Message, StringComparison.Ordinal);
        Assert.Contains("grpc_service is required", e.Message, StringComparison.Ordinal);
    }

    private static Filter Filter(bool failureModeAllow, bool includePeerCertificate = false) => new()
    {
        Name = "envoy.filters.network.ext_authz",
        TypedConfig = Any.Pack(new NetworkExtAuthz
        {
            StatPrefix = "tcp",
            TransportApiVersion = ApiVersion.V3,
            FailureModeAllow = failureModeAllow,
            IncludePeerCertificate = includePeerCertificate,
            GrpcService = new GrpcService
            {
                EnvoyGrpc = new GrpcService.Types.EnvoyGrpc { ClusterName = "authz", Authority = "authz.example:9000" },
                Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)),
            },
        }),
    };

    private static async Task<Mesh> StartAsync(TcpBackend backend, GrpcAuthzServer authz, bool failureModeAllow, string? accessLog = null)
    {
        var resources = Tcp.TcpProxyTests.Mesh(XdsResources.ToCluster("db"), ("db", backend)).ToList();
        var listener = resources.OfType<Listener>().Single(l => l.Name.StartsWith("240.0.0.1", StringComparison.Ordinal));
        listener.FilterChains[0].Filters.Insert(0, Filter(failureModeAllow));
        resources.Add(XdsResources.StaticCluster("authz", ("127.0.0.1", authz.Port)));
        var plane = await ScriptedControlPlane.StartAsync(resources);
        var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { AccessLogPath = accessLog });
        return new Mesh(plane, proxy);
    }

    private sealed class Mesh(ScriptedControlPlane plane, RunningProxy proxy) : IAsyncDisposable
    {
        public RunningProxy Proxy => proxy;

        public async Task<string> StatsAsync() => (await PrometheusScrape.GetAsync(new Uri($"http://{proxy.Host.StatsEndpoint}"))).Text;

        public async ValueTask DisposeAsync()
        {
            await proxy.DisposeAsync();
            await plane.DisposeAsync();
        }
    }
}
