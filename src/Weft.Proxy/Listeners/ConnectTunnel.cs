using System.Globalization;
using System.Text;
using Weft.Proxy.Tcp;

namespace Weft.Proxy.Listeners;

/// <summary>
/// An explicit <c>CONNECT host:port</c> waiting for its answer, as a feature of the client's connection. The answer is
/// given once: <c>200</c> when the tunnel can carry bytes (the TCP proxy has connected upstream, or the tunnel's own
/// first bytes must be read to know how to serve it), else a local reply shaped as Envoy's for the same failure, after
/// which the connection closes.
/// </summary>
internal sealed class ConnectTunnel(DownstreamWriter client)
{
    private static readonly byte[] Established = "HTTP/1.1 200 OK\r\n\r\n"u8.ToArray();
    private int _answered;

    /// <summary>Whether the answer has gone out.</summary>
    public bool Answered => Volatile.Read(ref _answered) != 0;

    /// <summary>Answers 200 (once): the client may send the tunnel's bytes.</summary>
    public ValueTask OpenAsync() => Interlocked.Exchange(ref _answered, 1) == 0 ? client.SendAsync(Established, CancellationToken.None) : ValueTask.CompletedTask;

    /// <summary>Answers with an error (unless answered already); the caller then closes the connection.</summary>
    /// <param name="overloaded">Adds <c>x-envoy-overloaded: true</c>, as Envoy does on a circuit breaker's overflow.</param>
    public ValueTask RefuseAsync(int status, string reason, string body, bool overloaded = false)
    {
        if (Interlocked.Exchange(ref _answered, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        var head = new StringBuilder(160)
            .Append("HTTP/1.1 ").Append(status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(reason).Append("\r\n")
            .Append("content-length: ").Append(Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        if (body.Length > 0)
        {
            head.Append("content-type: text/plain\r\n");
        }

        if (overloaded)
        {
            head.Append("x-envoy-overloaded: true\r\n");
        }

        head.Append("connection: close\r\n\r\n").Append(body);
        return client.SendAsync(Encoding.UTF8.GetBytes(head.ToString()), CancellationToken.None);
    }
}
