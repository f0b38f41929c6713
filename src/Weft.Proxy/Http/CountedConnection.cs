using System.Buffers;
using System.Runtime.CompilerServices;
using Weft.Proxy.Upstream;

namespace Weft.Proxy.Http;

/// <summary>
/// An upstream connection as the pool uses it, counted open until disposed. With <c>max_requests_per_connection</c> on
/// an HTTP/1.1 connection it also counts request heads (a write that starts with a request line, after the previous
/// response began to arrive) and adds <c>Connection: close</c> to the last one allowed: the upstream then answers and
/// closes, and the pool does not reuse the connection, which is how this proxy keeps Envoy's limit without owning the
/// pool. HTTP/2 connections (they start with the client preface) are left alone.
/// </summary>
internal sealed class CountedConnection(Stream inner, ConnectionCounter counter, ConnectionCounter.HostConnections host, uint maxRequests) : Stream
{
    private static readonly byte[] CloseHeader = "Connection: close\r\n"u8.ToArray();
    private static readonly byte[] RequestLineEnd = " HTTP/1.1\r\n"u8.ToArray();
    private static readonly byte[] Http2Preface = "PRI * HTTP/2.0"u8.ToArray();

    private bool _awaitingHead = maxRequests > 0;
    private uint _requests;
    private int _disposed;

    public override bool CanRead => inner.CanRead;

    public override bool CanWrite => inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Received(inner.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Straight through unless requests are being counted, so a read costs no state machine.</summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        maxRequests == 0 ? inner.ReadAsync(buffer, cancellationToken) : CountingReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!LastHead(buffer, out var lineEnd))
        {
            inner.Write(buffer);
            return;
        }

        inner.Write(buffer[..lineEnd]);
        inner.Write(CloseHeader);
        inner.Write(buffer[lineEnd..]);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!LastHead(buffer.Span, out var lineEnd))
        {
            return inner.WriteAsync(buffer, cancellationToken);
        }

        return WriteClosingAsync(buffer, lineEnd, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            counter.Closed(host);
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            counter.Closed(host);
            await inner.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> CountingReadAsync(Memory<byte> buffer, CancellationToken cancel) =>
        Received(await inner.ReadAsync(buffer, cancel).ConfigureAwait(false));

    private async ValueTask WriteClosingAsync(ReadOnlyMemory<byte> buffer, int lineEnd, CancellationToken cancel)
    {
        var length = buffer.Length + CloseHeader.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer.Span[..lineEnd].CopyTo(rented);
            CloseHeader.CopyTo(rented.AsSpan(lineEnd));
            buffer.Span[lineEnd..].CopyTo(rented.AsSpan(lineEnd + CloseHeader.Length));
            await inner.WriteAsync(rented.AsMemory(0, length), cancel).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private int Received(int read)
    {
        if (read > 0 && maxRequests > 0)
        {
            _awaitingHead = true;
        }

        return read;
    }

    /// <summary>Whether this write is the head of the last request the connection may carry; where its request line ends.</summary>
    private bool LastHead(ReadOnlySpan<byte> buffer, out int lineEnd)
    {
        lineEnd = 0;
        if (!_awaitingHead || buffer.IsEmpty)
        {
            return false;
        }

        if (buffer.StartsWith(Http2Preface))
        {
            _awaitingHead = false;
            maxRequests = 0;
            return false;
        }

        var end = buffer.IndexOf("\r\n"u8);
        if (end < 0 || !IsRequestLine(buffer[..(end + 2)]))
        {
            return false;
        }

        _awaitingHead = false;
        if (++_requests < maxRequests)
        {
            return false;
        }

        lineEnd = end + 2;
        return true;
    }

    private static bool IsRequestLine(ReadOnlySpan<byte> line)
    {
        var space = line.IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }

        foreach (var b in line[..space])
        {
            if (b is < (byte)'A' or > (byte)'Z')
            {
                return false;
            }
        }

        return line.EndsWith(RequestLineEnd);
    }
}
