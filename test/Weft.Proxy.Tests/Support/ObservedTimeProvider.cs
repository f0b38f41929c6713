using Microsoft.Extensions.Time.Testing;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// A fake clock that also tells when a timer of a given length has been armed, so a test moves time only once the
/// proxy is actually waiting on it.
/// </summary>
internal sealed class ObservedTimeProvider() : FakeTimeProvider(DateTimeOffset.UtcNow)
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _armed = [];
    private readonly List<(TimeSpan Due, TaskCompletionSource Armed)> _waiting = [];

    /// <summary>Completes once a timer due after <paramref name="due"/> has been created (bounded wait).</summary>
    public Task ArmedAsync(TimeSpan due)
    {
        lock (_gate)
        {
            if (_armed.Contains(due))
            {
                return Task.CompletedTask;
            }

            var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((due, armed));
            return armed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_gate)
        {
            _armed.Add(dueTime);
            foreach (var waiter in _waiting.Where(w => w.Due == dueTime).ToList())
            {
                _waiting.Remove(waiter);
                waiter.Armed.TrySetResult();
            }
        }

        return timer;
    }
}
