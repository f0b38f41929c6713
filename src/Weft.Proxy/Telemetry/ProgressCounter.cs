namespace Weft.Proxy.Telemetry;

/// <summary>
/// A count that only grows, with a way to wait until it reaches a value: tests wait on it instead of sleeping (a
/// request is recorded after its response has reached the client). Counting costs one interlocked increment while
/// nobody waits.
/// </summary>
internal sealed class ProgressCounter
{
    private readonly object _gate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _waiters = [];
    private long _value;
    private int _waiting;

    public long Value => Interlocked.Read(ref _value);

    public void Increment()
    {
        var value = Interlocked.Increment(ref _value);
        if (Volatile.Read(ref _waiting) == 0)
        {
            return;
        }

        lock (_gate)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Target <= value)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }

            Volatile.Write(ref _waiting, _waiters.Count);
        }
    }

    /// <summary>Completes once the count is at least <paramref name="target"/>.</summary>
    public Task WhenAtLeastAsync(long target, CancellationToken cancel = default)
    {
        lock (_gate)
        {
            if (Value >= target)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((target, done));

            // A full fence, so an increment that missed this waiter is seen by the check below.
            Interlocked.Exchange(ref _waiting, _waiters.Count);

            // An increment between the check above and registering is caught here.
            if (Value >= target)
            {
                done.TrySetResult();
            }

            return done.Task.WaitAsync(cancel);
        }
    }
}
