namespace Weft.Proxy.Http.Mirroring;

/// <summary>
/// A mirror's request body: copies the stream that follows the client's body, flushing after every piece, so that the
/// mirror gets each piece when the client sends it rather than when a buffer fills (streaming calls stay live).
/// </summary>
internal sealed class MirrorBodyContent(Stream body, long? length) : HttpContent
{
    private const int BufferSize = 16 * 1024;

    private readonly long? _length = length;

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int n;
            while ((n = await body.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    /// <summary>The client's Content-Length when it gave one; else unknown (chunked over HTTP/1.1).</summary>
    protected override bool TryComputeLength(out long length)
    {
        length = _length ?? -1;
        return _length is not null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            body.Dispose();
        }

        base.Dispose(disposing);
    }
}
