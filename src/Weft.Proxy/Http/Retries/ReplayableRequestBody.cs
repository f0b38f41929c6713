namespace Weft.Proxy.Http.Retries;

/// <summary>
/// The client's request body, streamed upstream as it arrives while a copy of it is kept, up to a limit, so that a
/// retry or a mirror can send it again. Each attempt reads through its own <see cref="Stream"/>: first what was already
/// kept, then the rest from the client. Past the limit the copy is dropped and the body can only be read once (no
/// retry, no mirror), as Envoy gives up on buffering once a body outgrows its buffer limit.
/// </summary>
internal sealed class ReplayableRequestBody : IDisposable
{
    private readonly Stream _source;
    private readonly long _limit;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TaskCompletionSource<byte[]?> _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _kept = [];
    private long _read;
    private bool _overflowed;
    private volatile bool _stopKeeping;

    public ReplayableRequestBody(Stream source, long limit)
    {
        _source = source;
        _limit = Math.Min(limit, Array.MaxLength);
    }

    /// <summary>Whether everything read so far was kept, so a new attempt can send the body from its start.</summary>
    public bool CanReplay => !Volatile.Read(ref _overflowed);

    /// <summary>
    /// The whole body once the client has sent all of it within the limit; null when it outgrew the limit or was given
    /// up (disposed) before it ended.
    /// </summary>
    public Task<byte[]?> Completed => _complete.Task;

    /// <summary>
    /// No attempt will follow and no mirror needs the body: what is kept goes, and the rest is only passed through (as
    /// Envoy stops buffering once an upstream response is on its way).
    /// </summary>
    public void StopKeeping() => _stopKeeping = true;

    /// <summary>A stream for one attempt, reading the body from its start.</summary>
    public Stream NewAttempt() => new AttemptStream(this);

    /// <summary>Nothing more reads the body: a mirror still waiting for it goes without.</summary>
    public void Dispose()
    {
        _complete.TrySetResult(null);
        _gate.Dispose();
    }

    private async ValueTask<int> ReadAsync(long position, Memory<byte> buffer, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            if (position < _read)
            {
                if (_overflowed)
                {
                    throw new InvalidOperationException("the request body outgrew its buffer limit and cannot be sent again");
                }

                var count = (int)Math.Min(buffer.Length, _read - position);
                _kept.AsMemory((int)position, count).CopyTo(buffer);
                return count;
            }

            var n = await _source.ReadAsync(buffer, cancel).ConfigureAwait(false);
            if (n == 0)
            {
                _complete.TrySetResult(_overflowed ? null : _kept.AsSpan(0, (int)_read).ToArray());
                return 0;
            }

            Keep(buffer.Span[..n]);
            return n;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Keep(ReadOnlySpan<byte> data)
    {
        if (!_overflowed && (_stopKeeping || _read + data.Length > _limit))
        {
            Volatile.Write(ref _overflowed, true);
            _kept = [];
            _complete.TrySetResult(null);
        }

        if (!_overflowed)
        {
            if (_read + data.Length > _kept.Length)
            {
                Array.Resize(ref _kept, (int)Math.Min(_limit, Math.Max(_read + data.Length, Math.Max(4096, _kept.Length * 2L))));
            }

            data.CopyTo(_kept.AsSpan((int)_read));
        }

        _read += data.Length;
    }

    private sealed class AttemptStream(ReplayableRequestBody body) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.Length == 0)
            {
                return 0;
            }

            var n = await body.ReadAsync(_position, buffer, cancellationToken).ConfigureAwait(false);
            _position += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) =>
            throw new NotSupportedException("the request body is read asynchronously only");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
