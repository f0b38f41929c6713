using Weft.Proxy.Xds;

namespace Weft.Proxy.Tests.Support;

/// <summary>An xDS client running its stream loop until disposed (bounded wait for the loop to end).</summary>
internal sealed class XdsClientRun : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public XdsClientRun(XdsClient client)
    {
        Client = client;
        _loop = client.RunAsync(_stop.Token);
    }

    public XdsClient Client { get; }

    /// <summary>Polls until <paramref name="condition"/> holds, failing with <paramref name="what"/> after the fake server's wait.</summary>
    public static async Task WaitFor(Func<Task<bool>> condition, string what)
    {
        using var timeout = new CancellationTokenSource(FakeAdsServer.Wait);
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException("timed out waiting until " + what);
            }

            await Task.Delay(10);
        }
    }

    public static Task WaitFor(Func<bool> condition, string what) => WaitFor(() => Task.FromResult(condition()), what);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.WaitAsync(FakeAdsServer.Wait);
        await Client.DisposeAsync();
        _stop.Dispose();
    }
}
