using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Weft.Proxy.Listeners;
using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Tests.Listeners;

/// <summary>The listener filters' verdicts on first bytes: a real client's ClientHello, HTTP request lines, and the rest.</summary>
public sealed class ProtocolDetectionTests
{
    private static readonly Inspectors Both = new(Tls: true, Http: true);

    [Fact]
    public async Task Reads_the_server_name_and_protocols_of_a_real_ClientHello()
    {
        var hello = await CaptureClientHelloAsync("a.example", [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11]);

        Assert.Equal(ClientHello.Outcome.Tls, ClientHello.Parse(hello, out var name, out var protocols));
        Assert.Equal("a.example", name);
        Assert.Equal(["h2", "http/1.1"], protocols);
        var detected = ProtocolDetection.Classify(new ReadOnlySequence<byte>(hello), Both, final: false);
        Assert.Equal("tls", detected?.TransportProtocol);
        Assert.Equal("a.example", detected?.ServerName);
    }

    [Fact]
    public async Task Waits_for_the_whole_ClientHello_even_when_it_spans_records()
    {
        var hello = await CaptureClientHelloAsync("b.example", [SslApplicationProtocol.Http11]);
        for (var length = 0; length < hello.Length; length++)
        {
            Assert.Equal(ClientHello.Outcome.NeedMore, ClientHello.Parse(hello.AsSpan(0, length), out _, out _));
            Assert.Null(ProtocolDetection.Classify(new ReadOnlySequence<byte>(hello, 0, length), Both, final: false));
        }

        // The same handshake message cut into two records.
        var fragment = hello.AsSpan(5).ToArray();
        var split = Record(fragment[..7]).Concat(Record(fragment[7..])).ToArray();
        Assert.Equal(ClientHello.Outcome.NeedMore, ClientHello.Parse(split.AsSpan(0, 12), out _, out _));
        Assert.Equal(ClientHello.Outcome.Tls, ClientHello.Parse(split, out var name, out var protocols));
        Assert.Equal("b.example", name);
        Assert.Equal(["http/1.1"], protocols);
    }

    [Theory]
    [InlineData(new byte[] { 0x16, 0x01 })] // not TLS's major version
    [InlineData(new byte[] { 0x15, 0x03, 0x01 })] // an alert, not a handshake
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00 })] // a ServerHello
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T' })]
    public void Other_first_bytes_are_not_TLS(byte[] bytes) =>
        Assert.Equal(ClientHello.Outcome.NotTls, ClientHello.Parse(bytes, out _, out _));

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n", "http/1.1", false)]
    [InlineData("POST /x?y=1 HTTP/1.0\r\n", "http/1.0", false)]
    [InlineData("CONNECT db.example:3306 HTTP/1.1\r\n", "http/1.1", true)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "h2c", false)]
    [InlineData("PRI * HTTP/1.1\r\n", "http/1.1", false)]
    [InlineData("EHLO client.example\r\n", null, false)] // a text protocol, but not HTTP
    [InlineData("GET / HTTP/2.0\r\n", null, false)]
    [InlineData("GET  / HTTP/1.1\r\n", null, false)]
    [InlineData("\u0003\u0000\u0000", null, false)]
    public void Tells_plaintext_HTTP_from_other_protocols(string bytes, string? protocol, bool connect)
    {
        var detected = ProtocolDetection.Classify(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(bytes)), Both, final: false);
        Assert.NotNull(detected);
        Assert.Equal("raw_buffer", detected.TransportProtocol);
        Assert.Equal(protocol is null ? [] : [protocol], detected.ApplicationProtocols);
        Assert.Equal(connect, detected.IsConnect);
    }

    [Theory]
    [InlineData("G")]
    [InlineData("GET /items")]
    [InlineData("GET / HTTP/1.")]
    [InlineData("GET / HTTP/1.1\r")]
    [InlineData("PRI * HTTP/2.0\r\n")]
    public void Waits_while_the_bytes_could_still_be_HTTP_and_decides_when_the_client_stops(string bytes)
    {
        var sequence = new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(bytes));
        Assert.Null(ProtocolDetection.Classify(sequence, Both, final: false));
        Assert.Same(DetectedProtocol.Raw, ProtocolDetection.Classify(sequence, Both, final: true));
    }

    [Fact]
    public void Inspectors_that_do_not_run_learn_nothing()
    {
        var http = new ReadOnlySequence<byte>("GET / HTTP/1.1\r\n"u8.ToArray());
        Assert.Same(DetectedProtocol.Raw, ProtocolDetection.Classify(http, new Inspectors(Tls: true, Http: false), final: false));
        Assert.Same(DetectedProtocol.Http11, ProtocolDetection.Classify(http, new Inspectors(Tls: false, Http: true), final: false));
        var longLine = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("GET /" + new string('a', HttpRequestLine.MaxLength)));
        Assert.Same(DetectedProtocol.Raw, ProtocolDetection.Classify(longLine, Both, final: false));
    }

    private static byte[] Record(byte[] fragment) =>
        [0x16, 0x03, 0x01, (byte)(fragment.Length >> 8), (byte)fragment.Length, .. fragment];

    /// <summary>The first flight of a real TLS client, read on the server side until the ClientHello is complete.</summary>
    private static async Task<byte[]> CaptureClientHelloAsync(string serverName, List<SslApplicationProtocol> protocols)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        using var server = await listener.AcceptSocketAsync();
        var ssl = new SslStream(client.GetStream());
        var handshake = ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = serverName, ApplicationProtocols = protocols });

        var received = new List<byte>();
        var buffer = new byte[4096];
        while (ClientHello.Parse(received.ToArray(), out _, out _) == ClientHello.Outcome.NeedMore)
        {
            var read = await server.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.NotEqual(0, read);
            received.AddRange(buffer.AsSpan(0, read));
        }

        server.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        await ssl.DisposeAsync();
        return [.. received];
    }
}
