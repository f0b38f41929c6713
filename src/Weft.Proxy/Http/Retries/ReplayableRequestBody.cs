namespace Weft.Proxy.Http.Retries;

/// <summary>
/// The client's request body, streamed upstream as it arrives while a copy of it is kept, up to a limit, so that a
/// retry or a mirror can send it again. Each attempt reads through its own <see cref="Stream"/>: first what was already
/// kept, then the rest from the client. A mirror follows the attempts through <see cref="Follow"/>: it gets each piece
/// as soon as an attempt has read it, so a streaming body is mirrored while it streams. Past the limit the copy is
/// dropped and the body can only be read once (no retry; a mirror that follows fails), as Envoy gives up on buffering
/// once a body outgrows its buffer limit.
/// </summary>
internal sealed class ReplayableRequestBody : IDisposable
{
    private readonly Stream _source;
    private readonly long _limit;
    private readonly SemaphoreSlim _gate = new(1, 1);

    // What followers read, changed and read under this lock (never held across an await).
    private readonly object _keptLock = new();
    private byte[] _kept = [];
    private long _read;
    private bool _overflowed;
    private bool _ended;
    private bool _abandoned;
    private int _followers;
    private TaskCompletionSource? _progress;
    private volatile bool _stopKeeping;

    public ReplayableRequestBody(Stream source, long limit)
    {
        _source = source;
        _limit = Math.Min(limit, Array.MaxLength);
    }

    /// <summary>Whether everything read so far was kept, so a new attempt can send the body from its start.</summary>
    public bool CanReplay => !Volatile.Read(ref _overflowed);

    /// <summary>
    /// No attempt will follow and no mirror needs the body: what is kept goes, and the rest is only passed through (as
    /// Envoy stops buffering once an upstream response is on its way).
    /// </summary>
    public void StopKeeping() => _stopKeeping = true;

    /// <summary>A stream for one attempt, reading the body from its start.</summary>
    public Stream NewAttempt() => new BodyStream(this, follower: false);

    /// <summary>
    /// A stream for a mirror: the body from its start, each piece once an attempt has read it from the client, the end
    /// once the client's body ended. It never reads from the client itself. It fails when the copy outgrows the limit,
    /// or when the request is over before the client's body ended.
    /// </summary>
    public Stream Follow()
    {
        lock (_keptLock)
        {
            _followers++;
        }

        return new BodyStream(this, follower: true);
    }

    /// <summary>Nothing more reads the body: a mirror still waiting for a body that never ended fails.</summary>
    public void Dispose()
    {
        lock (_keptLock)
        {
            _abandoned = !_ended;
            Signal();
        }

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
                lock (_keptLock)
                {
                    _ended = true;
                    Signal();
                }

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
        lock (_keptLock)
        {
            // A mirror still following needs every piece: stopping early only applies when none is.
            var stop = _stopKeeping && _followers == 0;
            if (!_overflowed && (stop || _read + data.Length > _limit))
            {
                Volatile.Write(ref _overflowed, true);
                _kept = [];
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
            Signal();
        }
    }

    /// <summary>Wakes the followers waiting for more (under <see cref="_keptLock"/>).</summary>
    private void Signal()
    {
        _progress?.TrySetResult();
        _progress = null;
    }

    /// <summary>A follower's read: what is kept past <paramref name="position"/>, else a wait for the next piece.</summary>
    private async ValueTask<int> FollowAsync(long position, Memory<byte> buffer, CancellationToken cancel)
    {
        while (true)
        {
            Task progress;
            lock (_keptLock)
            {
                if (_overflowed)
                {
                    throw new IOException("the request body outgrew its buffer limit while a mirror was following it");
                }

                if (position < _read)
                {
                    var count = (int)Math.Min(buffer.Length, _read - position);
                    _kept.AsSpan((int)position, count).CopyTo(buffer.Span);
                    return count;
                }

                if (_ended)
                {
                    return 0;
                }

                if (_abandoned)
                {
                    throw new IOException("the request ended before the client sent all of its body");
                }

                _progress ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                progress = _progress.Task;
            }

            await progress.WaitAsync(cancel).ConfigureAwait(false);
        }
    }

    private void Unfollow()
    {
        lock (_keptLock)
        {
            _followers--;
        }
    }

    /// <summary>An attempt's stream (reads from the client when it has caught up) or a follower's (waits for them).</summary>
    private sealed class BodyStream(ReplayableRequestBody body, bool follower) : Stream
    {
        private long _position;
        private int _disposed;

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

            var n = follower
                ? await body.FollowAsync(_position, buffer, cancellationToken).ConfigureAwait(false)
                : await body.ReadAsync(_position, buffer, cancellationToken).ConfigureAwait(false);
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

        protected override void Dispose(bool disposing)
        {
            if (follower && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                body.Unfollow();
            }

            base.Dispose(disposing);
        }
    }
}
