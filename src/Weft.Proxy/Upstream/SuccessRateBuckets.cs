namespace Weft.Proxy.Upstream;

/// <summary>
/// Requests and successes counted in the current interval, and the counts of the interval before, which the outlier
/// detector judges (Envoy's success-rate accumulator with its two buckets).
/// </summary>
internal struct SuccessRateBuckets
{
    private long _total;
    private long _success;

    public long PreviousTotal { get; private set; }

    public long PreviousSuccess { get; private set; }

    public void Count(bool success)
    {
        Interlocked.Increment(ref _total);
        if (success)
        {
            Interlocked.Increment(ref _success);
        }
    }

    /// <summary>Closes the interval: its counts become the ones judged, and counting starts again.</summary>
    public void Roll()
    {
        PreviousTotal = Interlocked.Exchange(ref _total, 0);
        PreviousSuccess = Interlocked.Exchange(ref _success, 0);
    }

    /// <summary>The last interval's success rate in percent and its request volume; null without requests.</summary>
    public readonly (double Rate, long Volume)? Last() =>
        PreviousTotal == 0 ? null : (PreviousSuccess * 100.0 / PreviousTotal, PreviousTotal);
}
