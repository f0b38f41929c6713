namespace Weft.Cli.Tests.Support;

/// <summary>Waits for a condition that other threads make true, failing the test with a description after a timeout.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!condition())
        {
            try
            {
                await poll.WaitForNextTickAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"not true within {timeout.TotalSeconds} s: {describe()}");
            }
        }
    }
}
