using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Weft.Proxy.Snapshot;

namespace Weft.Proxy.Listeners;

/// <summary>
/// An HTTP/1.x <c>CONNECT host:port</c> request head from a client that uses the proxy as its HTTP proxy. Reading it
/// consumes the head only; bytes the client sent after it already belong to the tunnel.
/// </summary>
internal static class ConnectRequest
{
    /// <summary>The longest head accepted (Kestrel's default limit for request headers).</summary>
    public const int MaxHeadLength = 32 * 1024;

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    /// <summary>The requested <c>host:port</c>; null when the head is malformed, too long, or the client left first.</summary>
    public static async ValueTask<string?> ReadAsync(PipeReader input)
    {
        while (true)
        {
            var read = await input.ReadAsync().ConfigureAwait(false);
            var buffer = read.Buffer;
            var end = Find(buffer);
            if (end is { } position)
            {
                var head = Encoding.Latin1.GetString(buffer.Slice(0, position));
                input.AdvanceTo(buffer.GetPosition(HeadEnd.Length, position));
                return Authority(head);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (buffer.Length > MaxHeadLength || read.IsCompleted || read.IsCanceled)
            {
                return null;
            }
        }
    }

    /// <summary>The authority of <c>CONNECT host:port HTTP/1.x</c>; null unless it names a host and a port.</summary>
    internal static string? Authority(string head)
    {
        var line = head.Split("\r\n", 2)[0].Split(' ');
        if (line is not ["CONNECT", { Length: > 0 } authority, "HTTP/1.0" or "HTTP/1.1"])
        {
            return null;
        }

        var host = HostPort.StripPort(authority);
        return host.Length < authority.Length && host.Length > 0 ? authority : null;
    }

    private static SequencePosition? Find(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, HeadEnd, advancePastDelimiter: false) ? reader.Position : null;
    }
}
