using Google.Protobuf;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Tests.Tcp;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Proxy.Tests.Listeners;

/// <summary>
/// Clients that use the outbound listener as their HTTP proxy for TLS and TCP: <c>CONNECT host:port</c> opens a tunnel
/// whose bytes the listener for that destination handles as if the connection had been captured on its way there.
/// A CONNECT that reaches a connection manager gets Envoy's 403.
/// </summary>
public sealed class ConnectTunnelTests
{
    [Fact]
    public async Task A_tunnel_to_a_TLS_host_is_passed_through_by_server_name()
    {
        await using var a = TlsBackend.Start("api.example");
        await using var b = TlsBackend.Start("other.example");
        // Istio's listener for a TLS port of hosts without addresses: the wildcard address, one chain per SNI.
        var listener = new Listener
        {
            Name = "0.0.0.0_443",
            Address = XdsResources.Address("0.0.0.0", 443),
            BindToPort = false,
            TrafficDirection = TrafficDirection.Outbound,
            FilterChains = { SniChain("api.example", "api"), SniChain("other.example", "other") },
        };
        TcpProxyTests.Inspect(listener, TimeSpan.Zero, continueOnTimeout: true);
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            .. XdsResources.VirtualOutbound(),
            listener,
            XdsResources.EdsCluster("api"), XdsResources.Assignment("api", ("127.0.0.1", a.Port)),
            XdsResources.EdsCluster("other"), XdsResources.Assignment("other", ("127.0.0.1", b.Port)),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using (var tunnel = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, "api.example:443"))
        {
            var (answer, certificate) = await TlsBackend.AskAsync(tunnel, "api.example", "GET", a.Certificate, b.Certificate);
            Assert.Equal("api.example heard GET", answer);
            Assert.Equal(a.Certificate.Thumbprint, certificate.Thumbprint);
        }

        using (var tunnel = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, "other.example:443"))
        {
            Assert.Equal("other.example heard x", (await TlsBackend.AskAsync(tunnel, "other.example", "x", a.Certificate, b.Certificate)).Answer);
        }
    }

    [Fact]
    public async Task HTTP_inside_a_tunnel_is_routed_by_the_destinations_listener()
    {
        await using var backend = await Backend.StartAsync("svc");
        var listener = XdsResources.HttpListener(8080);
        TcpProxyTests.Inspect(listener, TimeSpan.Zero, continueOnTimeout: true); // its chain matches HTTP by ALPN
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            .. XdsResources.VirtualOutbound(),
            listener,
            XdsResources.Routes("8080", ("svc.example", "svc")),
            XdsResources.EdsCluster("svc"),
            XdsResources.Assignment("svc", ("127.0.0.1", backend.Port)),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var tunnel = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, "svc.example:8080");
        await tunnel.SendAsync("GET /inside HTTP/1.1\r\nHost: svc.example:8080\r\n\r\n");
        var head = await tunnel.ReadHeadAsync();
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head);
        Assert.Contains("\r\nx-backend: svc\r\n", head);
        Assert.Equal("/inside", Assert.Single(backend.Requests).Target);
    }

    [Fact]
    public async Task CONNECT_to_a_connection_manager_is_forbidden_and_a_malformed_one_is_a_bad_request()
    {
        await using var backend = await Backend.StartAsync("svc");
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            .. XdsResources.VirtualOutbound(),
            XdsResources.HttpListener(8080),
            XdsResources.Routes("8080", ("svc.example", "svc")),
            XdsResources.EdsCluster("svc"),
            XdsResources.Assignment("svc", ("127.0.0.1", backend.Port)),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        // After a request the connection belongs to HTTP: a CONNECT there meets the connection manager.
        using (var client = await RawConnection.ConnectAsync(proxy.Host.OutboundEndpoint))
        {
            await client.SendAsync("GET / HTTP/1.1\r\nHost: svc.example:8080\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", await client.ReadHeadAsync());
            Assert.Equal("3\r\nsvc\r\n0\r\n\r\n", await client.ReadThroughAsync("0\r\n\r\n"));
            await client.SendAsync("CONNECT svc.example:8080 HTTP/1.1\r\nHost: svc.example:8080\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 403 Forbidden\r\n", await client.ReadHeadAsync());
        }

        using (var client = await RawConnection.ConnectAsync(proxy.Host.OutboundEndpoint))
        {
            await client.SendAsync("CONNECT svc.example HTTP/1.1\r\n\r\n"); // no port
            Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", await client.ReadHeadAsync());
            Assert.True(await client.ClosedAsync());
        }

        Assert.Single(backend.Requests);
    }

    private static FilterChain SniChain(string serverName, string cluster) => new()
    {
        Name = serverName,
        FilterChainMatch = new FilterChainMatch { ServerNames = { serverName } },
        Filters = { XdsResources.TcpProxyFilter(XdsResources.ToCluster(cluster)) },
    };
}
