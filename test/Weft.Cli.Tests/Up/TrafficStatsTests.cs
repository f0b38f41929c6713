using Microsoft.Extensions.Time.Testing;
using Weft.Cli.Up;
using Weft.Cli.Up.Traffic;

namespace Weft.Cli.Tests.Up;

public sealed class TrafficStatsTests
{
    private static readonly TrafficTarget Target = new("product-catalog.default.svc.cluster.local", 8080, "default/product-catalog", "virtual-service.yaml");
    private readonly FakeTimeProvider _time = new();

    private static long Count(TrafficWindow window, string version) => window.Versions.Single(v => v.Key == version).Value;

    [Fact]
    public void A_window_counts_the_slots_that_ended_within_it()
    {
        var stats = new TrafficStats(Target, _time);
        for (var i = 0; i < 9; i++)
        {
            stats.Answered("v1");
        }

        stats.Answered("v2");
        stats.Failed("503: no healthy upstream");
        Assert.Equal(0, stats.Window(TimeSpan.FromSeconds(1)).Requests); // the slot has not ended yet

        _time.Advance(TimeSpan.FromMilliseconds(100));
        var second = stats.Window(TimeSpan.FromSeconds(1));

        Assert.Equal(9, Count(second, "v1"));
        Assert.Equal(1, Count(second, "v2"));
        Assert.Equal(1, second.Failures);
        Assert.Equal(0.9, second.Share("v1"), 3);
        Assert.Equal(11, second.PerSecond, 3);
        Assert.Equal("503: no healthy upstream", stats.LastFailure);
    }

    [Fact]
    public void Old_answers_leave_the_window_but_stay_in_the_totals()
    {
        var stats = new TrafficStats(Target, _time);
        stats.Answered("v1");
        _time.Advance(TimeSpan.FromSeconds(2));
        stats.Answered("v2");
        _time.Advance(TimeSpan.FromMilliseconds(100));

        var second = stats.Window(TimeSpan.FromSeconds(1));
        var recent = stats.Window(TimeSpan.FromSeconds(5));
        var totals = stats.Totals();

        Assert.Equal([new("v1", 0L), new("v2", 1L)], second.Versions); // a version seen before shows as 0, not missing
        Assert.Equal(2, recent.Answered);
        Assert.Equal(2, totals.Answered);
        Assert.Equal(0.5, totals.Share("v2"), 3);
    }

    [Fact]
    public void The_ring_forgets_what_is_older_than_ten_seconds()
    {
        var stats = new TrafficStats(Target, _time);
        stats.Answered("v1");
        _time.Advance(TimeSpan.FromSeconds(10)); // the same ring slot comes round again
        stats.Answered("v2");
        _time.Advance(TimeSpan.FromMilliseconds(100));

        var window = stats.Window(TimeSpan.FromSeconds(10));

        Assert.Equal(0, Count(window, "v1"));
        Assert.Equal(1, Count(window, "v2"));
    }
}
