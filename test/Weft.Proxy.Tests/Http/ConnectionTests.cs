using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Weft.Proxy.Http;
using Weft.Proxy.Tests.Support;

namespace Weft.Proxy.Tests.Http;

/// <summary>Below HTTP: telling h2c from HTTP/1.1 by the first bytes, and the guard against forwarding to itself.</summary>
public sealed class ConnectionTests
{
    [Theory]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", true)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\x12\x04", true)]
    [InlineData("PRI * HTTP/2", null)] // could still be the preface: wait for more
    [InlineData("P", null)]
    [InlineData("POST / HTTP/1.1\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\n", false)]
    [InlineData("PRI * HTTP/1.1\r\n", false)]
    public void Tells_the_HTTP2_preface_from_HTTP1(string bytes, bool? expected) =>
        Assert.Equal(expected, Http2Sniffing.Classify(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(bytes))));

    [Fact]
    public void Knows_its_own_listeners()
    {
        var endpoints = new ProxyEndpoints();
        endpoints.Set([new IPEndPoint(IPAddress.Loopback, 15001), new IPEndPoint(IPAddress.Any, 15006)]);
        Assert.True(endpoints.IsOwnListener("127.0.0.1:15001"));
        Assert.True(endpoints.IsOwnListener("127.0.0.1:15006"));
        Assert.False(endpoints.IsOwnListener("127.0.0.1:8080"));
        Assert.False(endpoints.IsOwnListener("10.0.0.1:15001"));
    }

    [Fact]
    public async Task Requests_of_one_connection_follow_their_own_Host_and_a_new_configuration()
    {
        await using var a = await Backend.StartAsync("a");
        await using var b = await Backend.StartAsync("b");
        // The second configuration changes the listener itself (it names another route table), not only a route.
        IMessage[] Mesh(string routesOf8080, string clusterOn8080) =>
        [
            XdsResources.HttpListener(8080, routesOf8080),
            XdsResources.Routes(routesOf8080, ("svc", clusterOn8080)),
            XdsResources.HttpListener(9090),
            XdsResources.Routes("9090", ("other", "b")),
            XdsResources.EdsCluster("a"),
            XdsResources.Assignment("a", ("127.0.0.1", a.Port)),
            XdsResources.EdsCluster("b"),
            XdsResources.Assignment("b", ("127.0.0.1", b.Port)),
        ];
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh("first", "a"));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        // One kept-alive connection: each request is routed by its own Host, whatever the one before it named.
        using var connection = await RawConnection.ConnectAsync(proxy.Host.OutboundEndpoint);
        Assert.Equal("a", await BackendOfAsync(connection, "svc:8080"));
        Assert.Equal("b", await BackendOfAsync(connection, "other:9090"));
        Assert.Equal("a", await BackendOfAsync(connection, "svc:8080"));
        Assert.Equal("a", await BackendOfAsync(connection, "svc:8080"));
        Assert.Equal("404", await StatusOfAsync(connection, "nowhere:7070"));

        // A new configuration applies to the next request of the same connection.
        await plane.PushAsync(Mesh("second", "b"));
        var until = DateTime.UtcNow + RawConnection.Wait;
        while ((await proxy.GetAsync("svc:8080")).Headers.GetValues("x-backend").Single() != "b")
        {
            Assert.True(DateTime.UtcNow < until, "the new route never took effect");
        }

        Assert.Equal("b", await BackendOfAsync(connection, "svc:8080"));
    }

    private static async Task<string> BackendOfAsync(RawConnection connection, string host)
    {
        var head = await ExchangeAsync(connection, host);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head);
        var marker = "\r\nx-backend: ";
        var at = head.IndexOf(marker, StringComparison.OrdinalIgnoreCase) + marker.Length;
        return head[at..head.IndexOf("\r\n", at, StringComparison.Ordinal)];
    }

    private static async Task<string> StatusOfAsync(RawConnection connection, string host) => (await ExchangeAsync(connection, host)).Split(' ')[1];

    /// <summary>Sends a GET for <paramref name="host"/> and reads the response head and its whole body.</summary>
    private static async Task<string> ExchangeAsync(RawConnection connection, string host)
    {
        await connection.SendAsync($"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n");
        var head = await connection.ReadHeadAsync();
        var marker = "\r\ncontent-length: ";
        var at = head.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            Assert.Contains("\r\nTransfer-Encoding: chunked\r\n", head, StringComparison.OrdinalIgnoreCase);
            await connection.ReadThroughAsync("0\r\n\r\n");
            return head;
        }

        at += marker.Length;
        await connection.ReadAsync(int.Parse(head[at..head.IndexOf("\r\n", at, StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture));
        return head;
    }

    [Fact]
    public async Task An_HTTP1_request_sent_byte_by_byte_is_still_served()
    {
        await using var backend = await Backend.StartAsync("a");
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            XdsResources.HttpListener(8080),
            XdsResources.Routes("8080", ("svc", "a")),
            XdsResources.EdsCluster("a"),
            XdsResources.Assignment("a", ("127.0.0.1", backend.Port)),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(proxy.Host.OutboundEndpoint);
        foreach (var b in Encoding.ASCII.GetBytes("PUT / HTTP/1.1\r\nHost: svc:8080\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
        {
            await socket.SendAsync(new[] { b }.AsMemory());
        }

        var response = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(10))) > 0)
        {
            response.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response.ToString());
        Assert.Contains("\r\nx-backend: a\r\n", response.ToString());
        Assert.Equal("PUT", Assert.Single(backend.Requests).Method);
    }
}
