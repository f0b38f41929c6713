using System.Net;
using System.Net.Sockets;
using Weft.Proxy.Listeners;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Tests.Tcp;

namespace Weft.Proxy.Tests.Listeners;

/// <summary>
/// The original destination of captured connections: Linux's <c>SO_ORIGINAL_DST</c>, read for real from connections an
/// iptables REDIRECT rule sent to the outbound listener, as Istio's capture does.
/// </summary>
public sealed class OriginalDestinationTests
{
    [Fact]
    public void Decodes_the_kernels_socket_addresses()
    {
        byte[] v4 = [2, 0, 0x0C, 0xEA, 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 3306), OriginalDestination.Decode(v4));

        var v6 = new byte[28];
        v6[0] = 10;
        v6[2] = 0x1F;
        v6[3] = 0x90;
        IPAddress.Parse("fd00::7").GetAddressBytes().CopyTo(v6, 8);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("fd00::7"), 8080), OriginalDestination.Decode(v6));
        Assert.Null(OriginalDestination.Decode([1, 0]));
    }

    [Fact]
    public async Task A_connection_that_was_not_redirected_has_none()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        using var accepted = await listener.AcceptSocketAsync();
        Assert.Null(OriginalDestination.Read(accepted));
    }

    [SkippableFact]
    public async Task Connections_captured_by_iptables_reach_the_listener_of_their_original_destination()
    {
        var unavailable = CaptureRule.Unavailable();
        Skip.If(unavailable is not null, unavailable);
        await using var echo = TcpBackend.Echo("db");
        await using var web = await Backend.StartAsync("web");

        // A loopback address of its own, so the rules catch nothing but this test's connections.
        var service = $"127.{Random.Shared.Next(64, 250)}.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(1, 250)}";
        var httpListener = XdsResources.HttpListener(8080);
        TcpProxyTests.Inspect(httpListener, TimeSpan.Zero, continueOnTimeout: true);
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            .. XdsResources.VirtualOutbound(),
            XdsResources.TcpListener(service, 3306, XdsResources.ToCluster("db")),
            XdsResources.EdsCluster("db"), XdsResources.Assignment("db", ("127.0.0.1", echo.Port)),
            httpListener,
            XdsResources.Routes("8080", ("web.example", "web")),
            XdsResources.EdsCluster("web"), XdsResources.Assignment("web", ("127.0.0.1", web.Port)),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        var (tcpRule, refusal) = await CaptureRule.RedirectAsync(service, 3306, proxy.Host.OutboundEndpoint.Port);
        Skip.If(tcpRule is null, refusal);
        await using (tcpRule)
        {
            var (httpRule, httpRefusal) = await CaptureRule.RedirectAsync(service, 8080, proxy.Host.OutboundEndpoint.Port);
            Assert.True(httpRule is not null, httpRefusal);
            await using (httpRule)
            {
                // Plain TCP to the service address: the TCP listener for it proxies to the echo server.
                using (var client = await RawConnection.ConnectAsync(new IPEndPoint(IPAddress.Parse(service), 3306)))
                {
                    await client.SendAsync("captured");
                    Assert.Equal("captured", await client.ReadAsync(8));
                }

                // HTTP to port 8080 of the same address: the port's HTTP listener routes it by Host.
                using var http = new HttpClient();
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{service}:8080/orders");
                request.Headers.Host = "web.example";
                using var response = await http.SendAsync(request);
                Assert.Equal("web", await response.Content.ReadAsStringAsync());
                Assert.Equal("/orders", Assert.Single(web.Requests).Target);
            }
        }

        Assert.Equal(1, echo.Connections);
    }
}
