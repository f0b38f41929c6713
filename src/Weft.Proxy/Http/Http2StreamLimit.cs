using System.Buffers.Binary;

namespace Weft.Proxy.Http;

/// <summary>
/// Envoy's upstream <c>http2_protocol_options.max_concurrent_streams</c> (Istio's <c>maxConcurrentStreams</c>) for a
/// pool this proxy does not own: an upstream HTTP/2 connection is read through this stream, which lowers the
/// <c>SETTINGS_MAX_CONCURRENT_STREAMS</c> the server announces to the cluster's limit (adding it when the server sets
/// none, which means no limit). The client then opens no more streams than that on the connection, and opens another
/// connection for the next request, as Envoy does. Every other byte passes unchanged; only SETTINGS frames are looked
/// into, the rest is walked frame header by frame header. Requests sent before the server's first SETTINGS arrives
/// follow the client's initial assumption (100 streams).
/// </summary>
internal sealed class Http2StreamLimit(Stream inner, uint limit) : Stream
{
    private const int FrameHeaderLength = 9;
    private const byte SettingsFrame = 0x4;
    private const byte AckFlag = 0x1;
    private const ushort MaxConcurrentStreams = 0x3;
    private const int SettingLength = 6;

    // The SETTINGS frame size a client accepts before a larger one is a protocol error (RFC 9113's initial maximum).
    private const int MaxSettingsFrame = 16 * 1024;

    // Made on the first read that brings bytes: an idle connection waits with zero-byte reads and holds none.
    private byte[] _input = [];
    private int _start;
    private int _end;

    // Bytes of the current frame still to pass through unchanged.
    private long _passing;

    // A rewritten SETTINGS frame waiting to be read.
    private byte[]? _rewritten;
    private int _rewrittenAt;

    public override bool CanRead => true;

    public override bool CanWrite => inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            // The client's wait for data without a buffer of its own: passed on while nothing is held here.
            return _rewritten is null && _end == _start ? await inner.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false) : 0;
        }

        if (_input.Length == 0)
        {
            _input = new byte[MaxSettingsFrame + FrameHeaderLength];
        }

        while (true)
        {
            var produced = Produce(buffer.Span);
            if (produced > 0)
            {
                return produced;
            }

            if (_end == _input.Length && _start > 0)
            {
                _input.AsSpan(_start, _end - _start).CopyTo(_input);
                _end -= _start;
                _start = 0;
            }

            var read = await inner.ReadAsync(_input.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                // The server closed; whatever incomplete frame is left is given as it came, for the client to judge.
                var rest = Math.Min(_end - _start, buffer.Length);
                _input.AsSpan(_start, rest).CopyTo(buffer.Span);
                _start += rest;
                return rest;
            }

            _end += read;
        }
    }

    /// <summary>Fills <paramref name="destination"/> from what has been read; 0 when more input is needed first.</summary>
    private int Produce(Span<byte> destination)
    {
        var written = 0;
        while (written < destination.Length)
        {
            if (_rewritten is not null)
            {
                var count = Math.Min(_rewritten.Length - _rewrittenAt, destination.Length - written);
                _rewritten.AsSpan(_rewrittenAt, count).CopyTo(destination[written..]);
                written += count;
                _rewrittenAt += count;
                if (_rewrittenAt == _rewritten.Length)
                {
                    _rewritten = null;
                }

                continue;
            }

            var available = _end - _start;
            if (_passing > 0)
            {
                var count = (int)Math.Min(_passing, Math.Min(available, destination.Length - written));
                if (count == 0)
                {
                    break;
                }

                _input.AsSpan(_start, count).CopyTo(destination[written..]);
                _start += count;
                written += count;
                _passing -= count;
                continue;
            }

            if (available < FrameHeaderLength)
            {
                break;
            }

            var header = _input.AsSpan(_start, FrameHeaderLength);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            if (header[3] != SettingsFrame || (header[4] & AckFlag) != 0 || length > MaxSettingsFrame)
            {
                // Not an announcement (or one too large, which the client refuses as it stands): passed through.
                _passing = FrameHeaderLength + length;
                continue;
            }

            if (available < FrameHeaderLength + length)
            {
                break;
            }

            _rewritten = Rewrite(_input.AsSpan(_start, FrameHeaderLength + length));
            _rewrittenAt = 0;
            _start += FrameHeaderLength + length;
        }

        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_start > _input.Length / 2)
        {
            _input.AsSpan(_start, _end - _start).CopyTo(_input);
            _end -= _start;
            _start = 0;
        }

        return written;
    }

    /// <summary>The SETTINGS frame with its MAX_CONCURRENT_STREAMS at most the limit (added when absent).</summary>
    private byte[] Rewrite(ReadOnlySpan<byte> frame)
    {
        var payload = frame[FrameHeaderLength..];
        if (payload.Length % SettingLength != 0)
        {
            // Malformed: the client refuses it as it stands.
            return frame.ToArray();
        }

        var found = false;
        var copy = new byte[frame.Length + SettingLength];
        frame.CopyTo(copy);
        for (var at = FrameHeaderLength; at < frame.Length; at += SettingLength)
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(at)) == MaxConcurrentStreams)
            {
                found = true;
                var value = BinaryPrimitives.ReadUInt32BigEndian(copy.AsSpan(at + 2));
                BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(at + 2), Math.Min(value, limit));
            }
        }

        if (found)
        {
            return copy[..frame.Length];
        }

        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(frame.Length), MaxConcurrentStreams);
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(frame.Length + 2), limit);
        var length = payload.Length + SettingLength;
        copy[0] = (byte)(length >> 16);
        copy[1] = (byte)(length >> 8);
        copy[2] = (byte)length;
        return copy;
    }

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
