namespace Weft.Control.Push;

/// <summary>
/// Merges bursts of change signals: after a signal, waits until <see cref="Quiet"/> passes with no further signal, or
/// <see cref="Max"/> since the first, then runs the action once. Time comes from a <see cref="TimeProvider"/> so tests
/// can drive it.
/// </summary>
public sealed class Debouncer(TimeSpan quiet, TimeSpan max, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0);
    private long _lastSignal;

    public TimeSpan Quiet { get; } = quiet;

    public TimeSpan Max { get; } = max;

    public void Dispose() => _signal.Dispose();

    public void Signal()
    {
        Interlocked.Exchange(ref _lastSignal, time.GetTimestamp());
        _signal.Release();
    }

    /// <summary>Runs <paramref name="action"/> once per merged burst of signals until cancelled.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> action, CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            await _signal.WaitAsync(cancel).ConfigureAwait(false);
            var first = time.GetTimestamp();
            while (true)
            {
                var sinceLast = time.GetElapsedTime(Interlocked.Read(ref _lastSignal));
                var sinceFirst = time.GetElapsedTime(first);
                if (sinceLast >= Quiet || sinceFirst >= Max)
                {
                    break;
                }

                var wait = Quiet - sinceLast;
                if (Max - sinceFirst < wait)
                {
                    wait = Max - sinceFirst;
                }

                await Task.Delay(wait, time, cancel).ConfigureAwait(false);
            }

            while (_signal.CurrentCount > 0)
            {
                await _signal.WaitAsync(cancel).ConfigureAwait(false);
            }

            await action(cancel).ConfigureAwait(false);
        }
    }
}
