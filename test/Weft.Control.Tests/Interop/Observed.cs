namespace Weft.Control.Tests.Interop;

/// <summary>
/// An append-only, thread-safe list of what a child process reported, with waits on conditions over
/// the whole list. Tests synchronise on these waits (bounded by a timeout), never on sleeps.
/// </summary>
internal sealed class Observed<T>
{
    private readonly object gate = new();
    private readonly List<T> items = [];
    private readonly System.Collections.ObjectModel.ReadOnlyCollection<T> view;
    private readonly List<Waiter> waiters = [];
    private readonly Func<string> diagnostics;
    private string? endReason;

    /// <param name="diagnostics">Appended to timeout and end-of-stream messages (stderr and stdout of the process).</param>
    public Observed(Func<string> diagnostics)
    {
        this.diagnostics = diagnostics;
        view = items.AsReadOnly();
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return items.Count;
            }
        }
    }

    public IReadOnlyList<T> Snapshot()
    {
        lock (gate)
        {
            return [.. items];
        }
    }

    public void Add(T item)
    {
        List<Waiter> satisfied;
        lock (gate)
        {
            items.Add(item);
            satisfied = waiters.FindAll(w => w.Condition(view));
            waiters.RemoveAll(satisfied.Contains);
        }

        // Completed outside the lock, so a waiter's continuation never runs while the list is locked.
        foreach (var waiter in satisfied)
        {
            waiter.Done.TrySetResult(true);
        }
    }

    /// <summary>No more items will come (the process ended); waits still unmet fail with <paramref name="reason"/>.</summary>
    public void End(string reason)
    {
        List<Waiter> pending;
        lock (gate)
        {
            endReason ??= reason;
            pending = [.. waiters];
            waiters.Clear();
        }

        foreach (var waiter in pending)
        {
            waiter.Done.TrySetResult(false);
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds over everything observed so far and returns a
    /// snapshot of it; throws <see cref="InteropException"/> if the process ends first or the timeout passes.
    /// </summary>
    public async Task<IReadOnlyList<T>> WaitAsync(Func<IReadOnlyList<T>, bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        if (!await TryWaitAsync(condition, timeout, cancellationToken).ConfigureAwait(false))
        {
            string? reason;
            lock (gate)
            {
                reason = endReason;
            }

            var why = reason is null ? $"timed out after {timeout.TotalSeconds:0.#} s" : reason;
            throw new InteropException($"waiting for {what}: {why}\n{diagnostics()}");
        }

        return Snapshot();
    }

    /// <summary>
    /// Waits for the first item at index <paramref name="from"/> or later that <paramref name="match"/>
    /// accepts. Each item is looked at once, so waiting on a long list stays linear.
    /// </summary>
    public async Task<T> WaitForItemAsync(Func<T, bool> match, int from, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        var next = from;
        var found = default(T);
        // Conditions run under the lock, one at a time, so the cursor needs no synchronisation.
        await WaitAsync(
            list =>
            {
                for (; next < list.Count; next++)
                {
                    if (match(list[next]))
                    {
                        found = list[next];
                        return true;
                    }
                }

                return false;
            },
            timeout,
            what,
            cancellationToken).ConfigureAwait(false);
        return found!;
    }

    /// <summary>The item at <paramref name="index"/>, once there is one; false if the stream ended first.</summary>
    public async Task<(bool Found, T? Item)> ItemAtAsync(int index, CancellationToken cancellationToken)
    {
        if (!await TryWaitAsync(list => list.Count > index, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false))
        {
            return (false, default);
        }

        lock (gate)
        {
            return (true, items[index]);
        }
    }

    /// <summary>Like <see cref="WaitAsync"/>, but false instead of an exception.</summary>
    public async Task<bool> TryWaitAsync(Func<IReadOnlyList<T>, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var waiter = new Waiter(condition);
        lock (gate)
        {
            if (condition(view))
            {
                return true;
            }

            if (endReason is not null)
            {
                return false;
            }

            waiters.Add(waiter);
        }

        try
        {
            return await waiter.Done.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            lock (gate)
            {
                waiters.Remove(waiter);
            }
        }
    }

    private sealed class Waiter(Func<IReadOnlyList<T>, bool> condition)
    {
        public Func<IReadOnlyList<T>, bool> Condition { get; } = condition;

        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
