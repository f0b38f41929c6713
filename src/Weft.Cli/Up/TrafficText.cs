using System.Globalization;
using System.Text;
using Weft.Cli.Up.Traffic;

namespace Weft.Cli.Up;

/// <summary>
/// How <c>weft up</c> writes what it counts: one summary line a second, the totals at the end, and the live view's frame.
/// Counts appear as <c>VERSION=COUNT (PERCENT%)</c> everywhere, so people and scripts read them the same way.
/// </summary>
internal static class TrafficText
{
    public const int BarWidth = 30;

    /// <summary><c>HOST:PORT  20 req/s  v1=18 (90%)  v2=2 (10%)  failed=0</c> for the last second.</summary>
    public static string Summary(TrafficStats stats, TrafficWindow window) =>
        $"{stats.Target.Authority}  {Number(window.PerSecond, 0)} req/s  {Versions(window, 0)}failed={Number(window.Failures)}";

    /// <summary><c>HOST:PORT  246 requests  v1=221 (89.8%)  v2=25 (10.2%)  failed=0</c> since the start.</summary>
    public static string Total(TrafficStats stats, TrafficWindow totals) =>
        $"{stats.Target.Authority}  {Number(totals.Requests)} requests  {Versions(totals, 1)}failed={Number(totals.Failures)}";

    /// <summary>The view's lines for one target: rate and failures, then a bar per version over the last five seconds.</summary>
    public static IEnumerable<string> Block(TrafficStats stats, TrafficWindow second, TrafficWindow recent, TrafficWindow totals)
    {
        yield return $"{stats.Target.Authority}   {Number(second.PerSecond, 1)} req/s   failures {Number(recent.Failures)} in the last {Number(recent.Span.TotalSeconds, 0)} s, {Number(totals.Failures)} in all";
        if (recent.Versions.Count == 0)
        {
            yield return "  (no answers yet)";
        }

        var width = recent.Versions.Count == 0 ? 0 : recent.Versions.Max(v => v.Key.Length);
        foreach (var (version, _) in recent.Versions)
        {
            var share = recent.Share(version);
            yield return $"  {version.PadRight(width)}  {Bar(share, BarWidth)} {Number(share * 100, 1),5}%";
        }

        if (recent.Failures > 0 && stats.LastFailure is { } why)
        {
            yield return $"  last failure: {why}";
        }
    }

    /// <summary>A bar of <paramref name="width"/> cells, the first <paramref name="share"/> of them full.</summary>
    public static string Bar(double share, int width)
    {
        var full = (int)Math.Round(Math.Clamp(share, 0, 1) * width, MidpointRounding.AwayFromZero);
        return new StringBuilder(width).Append('█', full).Append('░', width - full).ToString();
    }

    private static string Versions(TrafficWindow window, int decimals)
    {
        var text = new StringBuilder();
        foreach (var (version, count) in window.Versions)
        {
            text.Append(CultureInfo.InvariantCulture, $"{version}={count} ({Number(window.Share(version) * 100, decimals)}%)  ");
        }

        return text.ToString();
    }

    private static string Number(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
