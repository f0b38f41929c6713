namespace Weft.Proxy.Telemetry;

/// <summary>
/// A request body without a declared length (chunked, or HTTP/2 without content-length), or a gRPC request's, counted
/// as it is read: bytes, and for gRPC the messages (<paramref name="frames"/>).
/// </summary>
internal sealed class CountingRequestBody(Stream inner, GrpcFrameCounter? frames = null) : Stream
{
    private long _read;

    /// <summary>Body bytes read so far.</summary>
    public long BytesRead => Interlocked.Read(ref _read);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Counted(buffer.AsSpan(offset), inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Counted(buffer, inner.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Counted(buffer.Span, read);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Counted(Span<byte> buffer, int read)
    {
        Interlocked.Add(ref _read, read);
        frames?.Inspect(buffer[..read]);
        return read;
    }
}
