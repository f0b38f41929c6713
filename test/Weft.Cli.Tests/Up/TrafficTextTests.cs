using Microsoft.Extensions.Time.Testing;
using Weft.Cli.Up;
using Weft.Cli.Up.Traffic;

namespace Weft.Cli.Tests.Up;

public sealed class TrafficTextTests
{
    [Theory]
    [InlineData(0.9, 10, "█████████░")]
    [InlineData(0.0, 4, "░░░░")]
    [InlineData(1.0, 4, "████")]
    [InlineData(0.04, 10, "░░░░░░░░░░")]
    public void A_bar_fills_its_share(double share, int width, string bar) => Assert.Equal(bar, TrafficText.Bar(share, width));

    [Fact]
    public void Summary_and_totals_read_as_version_count_and_percent()
    {
        var time = new FakeTimeProvider();
        var stats = new TrafficStats(new TrafficTarget("product-catalog.default.svc.cluster.local", 8080, "default/product-catalog", "vs.yaml"), time);
        for (var i = 0; i < 18; i++)
        {
            stats.Answered("v1");
        }

        stats.Answered("v2");
        stats.Answered("v2");
        stats.Failed("connection refused");
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("product-catalog.default.svc.cluster.local:8080  21 req/s  v1=18 (90%)  v2=2 (10%)  failed=1",
            TrafficText.Summary(stats, stats.Window(TimeSpan.FromSeconds(1))));
        Assert.Equal("product-catalog.default.svc.cluster.local:8080  21 requests  v1=18 (90.0%)  v2=2 (10.0%)  failed=1",
            TrafficText.Total(stats, stats.Totals()));
        var block = TrafficText.Block(stats, stats.Window(TimeSpan.FromSeconds(1)), stats.Window(TimeSpan.FromSeconds(5)), stats.Totals()).ToList();
        Assert.Equal("product-catalog.default.svc.cluster.local:8080   21.0 req/s   failures 1 in the last 5 s, 1 in all", block[0]);
        Assert.Equal("  v1  " + TrafficText.Bar(0.9, TrafficText.BarWidth) + "  90.0%", block[1]);
        Assert.Equal("  v2  " + TrafficText.Bar(0.1, TrafficText.BarWidth) + "  10.0%", block[2]);
        Assert.Equal("  last failure: connection refused", block[3]);
    }

    [Fact]
    public void The_view_redraws_in_place_and_cuts_lines_to_the_terminal()
    {
        var terminal = new StringWriter();
        var view = new LiveView(terminal, () => 20);

        view.Draw(["first frame", "a line much longer than twenty columns"]);
        view.Draw(["second"]);
        view.Close();

        Assert.Equal(
            "\u001b[?25l" + "first frame\u001b[K\n" + "a line much longer \u001b[K\n"
            + "\u001b[2A\r" + "second\u001b[K\n" + "\u001b[J" + "\u001b[?25h",
            terminal.ToString());
    }
}
