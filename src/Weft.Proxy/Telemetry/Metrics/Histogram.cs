using System.Text;

namespace Weft.Proxy.Telemetry.Metrics;

/// <summary>
/// A Prometheus histogram over fixed bucket bounds, recorded with interlocked adds and no lock. Values are whole
/// numbers (Envoy records milliseconds and bytes as integers). Each bucket counts only its own values; rendering makes
/// them cumulative, and <c>_count</c> is the <c>+Inf</c> bucket, so the two always agree within one scrape.
/// </summary>
internal sealed class Histogram
{
    /// <summary>Envoy's default bucket bounds, which Istio's standard histograms use (milliseconds for durations, bytes for sizes).</summary>
    public static readonly double[] DefaultBounds = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    private static readonly string[] DefaultBoundTexts = DefaultBounds.Select(PrometheusText.FormatBound).ToArray();

    private readonly long[] _counts = new long[DefaultBounds.Length + 1];
    private long _sum;

    public void Record(long value)
    {
        var i = 0;
        while (i < DefaultBounds.Length && value > DefaultBounds[i])
        {
            i++;
        }

        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sum, value);
    }

    /// <summary>Adds another histogram's counts to this one (series whose labels came out equal are one).</summary>
    public void Add(Histogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            Interlocked.Add(ref _counts[i], Volatile.Read(ref other._counts[i]));
        }

        Interlocked.Add(ref _sum, Volatile.Read(ref other._sum));
    }

    /// <summary>Writes the <c>_bucket</c> lines (cumulative, then <c>+Inf</c>), <c>_sum</c> and <c>_count</c> of one series.</summary>
    public void Write(StringBuilder text, string name, string labels)
    {
        long cumulative = 0;
        for (var i = 0; i <= DefaultBounds.Length; i++)
        {
            cumulative += Volatile.Read(ref _counts[i]);
            text.Append(name).Append("_bucket{").Append(labels);
            if (labels.Length > 0)
            {
                text.Append(',');
            }

            text.Append("le=\"").Append(i < DefaultBounds.Length ? DefaultBoundTexts[i] : "+Inf").Append("\"} ").Append(cumulative).Append('\n');
        }

        var suffix = labels.Length > 0 ? "{" + labels + "}" : string.Empty;
        text.Append(name).Append("_sum").Append(suffix).Append(' ').Append(Volatile.Read(ref _sum)).Append('\n');
        text.Append(name).Append("_count").Append(suffix).Append(' ').Append(cumulative).Append('\n');
    }
}
