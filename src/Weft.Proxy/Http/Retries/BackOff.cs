namespace Weft.Proxy.Http.Retries;

/// <summary>
/// Envoy's fully jittered exponential back-off: the n-th wait is drawn uniformly from [0, interval) where the interval
/// starts at the base and doubles each time until it would pass the maximum, which it then stays at.
/// </summary>
internal sealed class BackOff(TimeSpan baseInterval, TimeSpan maxInterval, Func<ulong> random)
{
    private readonly ulong _max = Milliseconds(maxInterval);
    private ulong _next = Milliseconds(baseInterval);

    public TimeSpan Next()
    {
        var interval = _next;
        _next = _next < _max / 2 ? _next * 2 : _max;
        return TimeSpan.FromMilliseconds(random() % interval);
    }

    private static ulong Milliseconds(TimeSpan value) => Math.Max(1, (ulong)value.TotalMilliseconds);
}
