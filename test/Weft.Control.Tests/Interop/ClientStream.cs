using System.Runtime.CompilerServices;

namespace Weft.Control.Tests.Interop;

/// <summary>
/// A running client.js in stream mode: results arrive while the test changes things (edits a config
/// file, reconfigures a backend) and waits for traffic to follow. Stop it with <see cref="StopAsync"/>
/// for the final report; disposing without stopping closes its stdin and kills it if it lingers.
/// </summary>
public sealed class ClientStream : IAsyncDisposable
{
    private readonly NodeProcess process;
    private readonly Observed<CallResult> results;
    private readonly TimeSpan stopGrace;

    internal ClientStream(NodeProcess process, Observed<CallResult> results, TimeSpan stopGrace)
    {
        this.process = process;
        this.results = results;
        this.stopGrace = stopGrace;
    }

    /// <summary>Results so far, in the order calls finished.</summary>
    public IReadOnlyList<CallResult> Results => results.Snapshot();

    public int Count => results.Count;

    /// <summary>
    /// Waits until <paramref name="condition"/> holds over all results so far. To look only at traffic
    /// after a change, note <see cref="Count"/> before it and skip that many in the condition.
    /// </summary>
    public Task<IReadOnlyList<CallResult>> WaitForResultsAsync(Func<IReadOnlyList<CallResult>, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        results.WaitAsync(condition, timeout, "client results", cancellationToken);

    /// <summary>Every result, as it arrives, until the client ends (or the token is cancelled).</summary>
    public async IAsyncEnumerable<CallResult> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; ; i++)
        {
            var (found, item) = await results.ItemAtAsync(i, cancellationToken);
            if (!found)
            {
                yield break;
            }

            yield return item!;
        }
    }

    /// <summary>Stops starting calls, lets calls in flight finish (or cancels them after the run's drain) and reports.</summary>
    public async Task<ClientReport> StopAsync(CancellationToken cancellationToken = default)
    {
        process.CloseStdin();
        await process.Events.WaitForItemAsync(e => EventJson.Is(e, "done"), 0, stopGrace, "client.js to stop", cancellationToken);
        return ClientReport.FromEvents(process.Events.Snapshot(), process.Describe());
    }

    public string Describe() => process.Describe();

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
