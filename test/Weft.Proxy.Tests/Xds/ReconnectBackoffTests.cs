using Weft.Proxy.Xds;

namespace Weft.Proxy.Tests.Xds;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Doubles_from_the_initial_delay_up_to_the_cap_with_half_of_each_step_jittered()
    {
        var low = new ReconnectBackoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), () => 0);
        var lows = Enumerable.Range(0, 9).Select(_ => low.Next().TotalMilliseconds).ToArray();
        Assert.Equal([250, 500, 1000, 2000, 4000, 8000, 15000, 15000, 15000], lows);

        var high = new ReconnectBackoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), () => 0.999999);
        var highs = Enumerable.Range(0, 8).Select(_ => Math.Round(high.Next().TotalMilliseconds)).ToArray();
        Assert.Equal([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000], highs);
    }

    [Fact]
    public void A_reset_starts_over()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), () => 0);
        backoff.Next();
        backoff.Next();
        backoff.Reset();
        Assert.Equal(TimeSpan.FromMilliseconds(500), backoff.Next());
    }

    [Fact]
    public void Jitter_spreads_clients_that_fail_together()
    {
        var random = new Random(7);
        var delays = Enumerable.Range(0, 50).Select(_ => new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), random.NextDouble).Next()).ToHashSet();
        Assert.True(delays.Count > 40);
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)));
    }
}
