namespace Weft.Cli.Up.Traffic;

/// <summary>
/// What one service answered over a span of time: answers per version (every version seen so far, zero when absent, in
/// name order) and failures (status 500 and above, or no answer at all).
/// </summary>
internal sealed record TrafficWindow(TimeSpan Span, IReadOnlyList<KeyValuePair<string, long>> Versions, long Failures)
{
    public long Answered => Versions.Sum(v => v.Value);

    public long Requests => Answered + Failures;

    public double PerSecond => Span > TimeSpan.Zero ? Requests / Span.TotalSeconds : 0;

    /// <summary>A version's part of the answers, 0 to 1 (failures carry no version, so they are not in the sum).</summary>
    public double Share(string version)
    {
        var answered = Answered;
        return answered == 0 ? 0 : Versions.FirstOrDefault(v => v.Key == version).Value / (double)answered;
    }
}
