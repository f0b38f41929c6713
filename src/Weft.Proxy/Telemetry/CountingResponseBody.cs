using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Weft.Proxy.Telemetry;

/// <summary>
/// The response body as the proxy writes it, counted: it stands in for the server's response body feature and passes
/// everything through. One object per request (it is the stream too); a pipe writer is made over it only for code that
/// asks for one, so bytes written either way are counted. A gRPC response's messages are counted too, by
/// <see cref="Frames"/> (set for gRPC requests only).
/// </summary>
internal sealed class CountingResponseBody(IHttpResponseBodyFeature inner) : Stream, IHttpResponseBodyFeature
{
    private PipeWriter? _writer;

    /// <summary>Counts the response's gRPC messages; null unless the request is gRPC.</summary>
    public GrpcFrameCounter? Frames { get; set; }
    private long _written;

    /// <summary>Body bytes written so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    Stream IHttpResponseBodyFeature.Stream => this;

    PipeWriter IHttpResponseBodyFeature.Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await inner.SendFileAsync(path, offset, count, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _written, count ?? new FileInfo(path).Length - offset);
    }

    public async Task CompleteAsync()
    {
        if (_writer is not null)
        {
            await _writer.FlushAsync().ConfigureAwait(false);
        }

        await inner.CompleteAsync().ConfigureAwait(false);
    }

    // Counted as the bytes pass, before they are sent (as Envoy's filters count them on their way): whoever has
    // received them can rely on the counts including them.
    public override void Write(byte[] buffer, int offset, int count)
    {
        Interlocked.Add(ref _written, count);
        Frames?.Inspect(buffer.AsSpan(offset, count));
        inner.Stream.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Interlocked.Add(ref _written, buffer.Length);
        Frames?.Inspect(buffer);
        inner.Stream.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _written, buffer.Length);
        Frames?.Inspect(buffer.Span);
        return inner.Stream.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Stream.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.Stream.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
