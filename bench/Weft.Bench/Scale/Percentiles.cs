namespace Weft.Bench.Scale;

/// <summary>Nearest-rank percentiles of a sample.</summary>
internal static class Percentiles
{
    /// <summary>The value at or below which a fraction <paramref name="p"/> (0-1) of the sample lies.</summary>
    public static double Of(IReadOnlyCollection<double> sample, double p)
    {
        if (sample.Count == 0)
        {
            return double.NaN;
        }

        var sorted = sample.Order().ToArray();
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
