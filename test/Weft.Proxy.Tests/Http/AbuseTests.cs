using System.Net;
using System.Net.Sockets;
using System.Text;
using Weft.Proxy.Tests.Support;

namespace Weft.Proxy.Tests.Http;

/// <summary>
/// Hostile and broken HTTP/1.1 on the outbound listener, sent as raw bytes: each is answered with a 4xx or a closed
/// connection, nothing malformed reaches the backend, and other clients are served meanwhile.
/// </summary>
public sealed class AbuseTests : IAsyncLifetime
{
    private Backend _backend = null!;
    private ScriptedControlPlane _plane = null!;
    private RunningProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _backend = await Backend.StartAsync("a");
        _plane = await ScriptedControlPlane.StartAsync(
        [
            XdsResources.HttpListener(8080),
            XdsResources.Routes("8080", ("svc", "a")),
            XdsResources.EdsCluster("a"),
            XdsResources.Assignment("a", ("127.0.0.1", _backend.Port)),
        ]);
        _proxy = await RunningProxy.StartAsync(_plane.Address);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _plane.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Content_length_with_chunked_transfer_encoding_smuggles_nothing_and_closes_the_connection()
    {
        // Kestrel frames such a body by its chunks (dropping Content-Length) and closes after answering, so what
        // follows the chunked body is never read as a request. Envoy answers 400 instead; either way nothing is smuggled.
        var response = await ExchangeAsync(
            "POST / HTTP/1.1\r\nHost: svc:8080\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: svc:8080\r\n\r\n");
        Assert.Matches("^HTTP/1\\.1 (200|400) ", response);
        Assert.Contains("\r\nConnection: close\r\n", response, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, CountOf(response, "HTTP/1.1 "));
        Assert.DoesNotContain(_backend.Requests, r => r.Target.Contains("smuggled", StringComparison.Ordinal));
        Assert.True(_backend.Requests.Count <= 1);
    }

    [Fact]
    public async Task Two_different_content_lengths_are_refused()
    {
        var response = await ExchangeAsync("POST / HTTP/1.1\r\nHost: svc:8080\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde");
        Assert.StartsWith("HTTP/1.1 400 ", response);
        Assert.Empty(_backend.Requests);
    }

    [Theory]
    [InlineData("Bad Name: x")]
    [InlineData("Bad\u0001Name: x")]
    [InlineData("X-Value: a\u0000b")]
    [InlineData("X-Folded: a\r\n  b")]
    [InlineData(": no name")]
    public async Task Invalid_header_lines_are_refused(string header)
    {
        var response = await ExchangeAsync($"GET / HTTP/1.1\r\nHost: svc:8080\r\n{header}\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400 ", response);
        Assert.Empty(_backend.Requests);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1 extra\r\n")]
    [InlineData("G\u0000T / HTTP/1.1\r\n")]
    [InlineData("GET / HTTP/9.9\r\n")]
    [InlineData("GET  HTTP/1.1\r\n")]
    public async Task Invalid_request_lines_are_refused(string line)
    {
        // Bytes that do not read as HTTP are not taken for it: the listener's inspector finds no HTTP and the connection
        // is closed (no chain takes it), or Kestrel refuses the line.
        var response = await ExchangeAsync(line + "Host: svc:8080\r\n\r\n");
        Assert.Matches(@"^(HTTP/1\.1 (400|505) |$)", response);
        Assert.Empty(_backend.Requests);
    }

    [Fact]
    public async Task Headers_over_60_KiB_in_all_are_refused_with_431()
    {
        var big = new StringBuilder();
        for (var i = 0; i < 8; i++)
        {
            big.Append(CultureInfoInvariant($"X-Big-{i}: ")).Append('a', 8 * 1024).Append("\r\n");
        }

        var response = await ExchangeAsync($"GET / HTTP/1.1\r\nHost: svc:8080\r\n{big}\r\n");
        Assert.StartsWith("HTTP/1.1 431 ", response);
        Assert.Empty(_backend.Requests);

        // Just under the limit is served.
        var fits = await ExchangeAsync($"GET / HTTP/1.1\r\nHost: svc:8080\r\nX-Big: {new string('a', 50 * 1024)}\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 ", fits);
    }

    [Fact]
    public async Task More_than_100_headers_are_refused_with_431()
    {
        var many = string.Concat(Enumerable.Range(0, 101).Select(i => $"X-H{i}: v\r\n"));
        var response = await ExchangeAsync($"GET / HTTP/1.1\r\nHost: svc:8080\r\n{many}\r\n");
        Assert.StartsWith("HTTP/1.1 431 ", response);
        Assert.Empty(_backend.Requests);
    }

    [Fact]
    public async Task A_malformed_chunk_ends_the_request_and_the_next_client_is_served()
    {
        var response = await ExchangeAsync("POST / HTTP/1.1\r\nHost: svc:8080\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
        Assert.True(response.Length == 0 || response.StartsWith("HTTP/1.1 400 ", StringComparison.Ordinal), $"got {response}");
        using var ok = await _proxy.GetAsync("svc:8080");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Slow_clients_holding_connections_do_not_stall_others()
    {
        // Two hundred connections that send half a request line and stall (slowloris).
        var slow = new List<Socket>();
        try
        {
            for (var i = 0; i < 200; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(_proxy.Host.OutboundEndpoint);
                await socket.SendAsync(Encoding.ASCII.GetBytes("GET / HT"));
                slow.Add(socket);
            }

            for (var i = 0; i < 20; i++)
            {
                using var response = await _proxy.GetAsync("svc:8080");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            Assert.Equal(20, _backend.Requests.Count);
        }
        finally
        {
            foreach (var socket in slow)
            {
                socket.Dispose();
            }
        }
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>Sends raw bytes on a fresh connection and reads what comes back until the proxy closes it.</summary>
    private async Task<string> ExchangeAsync(string request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(_proxy.Host.OutboundEndpoint);
        await socket.SendAsync(Encoding.Latin1.GetBytes(request));
        var response = new StringBuilder();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(10))) > 0)
            {
                response.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }
        }
        catch (SocketException)
        {
            // A reset after the answer is a closed connection too.
        }

        return response.ToString();
    }
}
