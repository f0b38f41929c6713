using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// A client's TCP connection as a test drives it: text in and out, half-close, and whether the other side closed.
/// Every wait is bounded so a broken proxy fails the test instead of hanging it.
/// </summary>
internal sealed class RawConnection : IDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly StringBuilder _pending = new();

    private RawConnection(Socket socket)
    {
        Socket = socket;
    }

    public Socket Socket { get; }

    public static async Task<RawConnection> ConnectAsync(EndPoint endpoint)
    {
        var socket = endpoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint).WaitAsync(Wait);
        return new RawConnection(socket);
    }

    /// <summary>Asks the proxy for a tunnel to <paramref name="authority"/> (HTTP CONNECT) and expects 200.</summary>
    public static async Task<RawConnection> TunnelAsync(EndPoint proxy, string authority)
    {
        var connection = await ConnectAsync(proxy);
        await connection.SendAsync($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n");
        var head = await connection.ReadHeadAsync();
        Assert.StartsWith("HTTP/1.1 200 ", head);
        return connection;
    }

    /// <summary>Asks the proxy for a tunnel to <paramref name="authority"/> (HTTP CONNECT) and leaves the answer unread.</summary>
    public static async Task<RawConnection> AskTunnelAsync(EndPoint proxy, string authority)
    {
        var connection = await ConnectAsync(proxy);
        await connection.SendAsync($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n");
        return connection;
    }

    /// <summary>
    /// Asks the proxy for a tunnel to <paramref name="authority"/> (HTTP CONNECT) and expects it refused: returns the
    /// whole answer, head and body, which the proxy follows by closing the connection.
    /// </summary>
    public static async Task<string> TunnelRefusedAsync(EndPoint proxy, string authority)
    {
        using var connection = await AskTunnelAsync(proxy, authority);
        var answer = await connection.ReadToEndAsync();
        Assert.False(answer.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal), "the tunnel was opened: " + answer);
        return answer;
    }

    public Task SendAsync(string text) => Socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None).WaitAsync(Wait);

    /// <summary>A response head, up to and including its blank line; what follows stays for the next read.</summary>
    public Task<string> ReadHeadAsync() => ReadThroughAsync("\r\n\r\n");

    /// <summary>Everything up to and including <paramref name="marker"/> (all there is, if the other side finished first).</summary>
    public async Task<string> ReadThroughAsync(string marker)
    {
        while (true)
        {
            var text = _pending.ToString();
            var end = text.IndexOf(marker, StringComparison.Ordinal);
            if (end >= 0)
            {
                _pending.Remove(0, end + marker.Length);
                return text[..(end + marker.Length)];
            }

            if (!await ReceiveAsync())
            {
                _pending.Clear();
                return text;
            }
        }
    }

    /// <summary>Exactly <paramref name="length"/> characters (fewer if the other side finished first).</summary>
    public async Task<string> ReadAsync(int length)
    {
        while (_pending.Length < length && await ReceiveAsync())
        {
        }

        var count = Math.Min(length, _pending.Length);
        var text = _pending.ToString(0, count);
        _pending.Remove(0, count);
        return text;
    }

    /// <summary>Everything until the other side's FIN.</summary>
    public async Task<string> ReadToEndAsync()
    {
        while (await ReceiveAsync())
        {
        }

        var text = _pending.ToString();
        _pending.Clear();
        return text;
    }

    /// <summary>Whether the other side closed (FIN or reset) with nothing more to read.</summary>
    public async Task<bool> ClosedAsync()
    {
        try
        {
            return await ReadToEndAsync() is { Length: 0 };
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return true;
        }
    }

    public void ShutdownSend() => Socket.Shutdown(SocketShutdown.Send);

    public void Dispose() => Socket.Dispose();

    private async Task<bool> ReceiveAsync()
    {
        var buffer = new byte[16 * 1024];
        var read = await Socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(Wait);
        _pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
        return read > 0;
    }
}
