namespace Weft.Proxy.Xds;

/// <summary>
/// How long to wait before reconnecting to the control plane: exponential from <see cref="Initial"/>, capped at
/// <see cref="Maximum"/>, with "equal jitter" (half the ceiling fixed, half random) so that proxies that lost the same
/// control plane do not all come back in the same instant. A stream that received a response resets it.
/// </summary>
internal sealed class ReconnectBackoff
{
    private readonly Func<double> _random;
    private int _failures;

    /// <param name="random">A value in [0, 1); injectable so tests know the delays.</param>
    public ReconnectBackoff(TimeSpan initial, TimeSpan maximum, Func<double>? random = null)
    {
        if (initial <= TimeSpan.Zero || maximum < initial)
        {
            throw new ArgumentOutOfRangeException(nameof(initial), $"backoff needs 0 < initial ({initial}) <= maximum ({maximum})");
        }

        Initial = initial;
        Maximum = maximum;
        _random = random ?? Random.Shared.NextDouble;
    }

    public TimeSpan Initial { get; }

    public TimeSpan Maximum { get; }

    /// <summary>The delay before the next attempt; each call counts one more failure.</summary>
    public TimeSpan Next()
    {
        // 2^failures overflows long before it matters; the cap takes over after a few doublings.
        var exponent = Math.Min(_failures, 30);
        _failures++;
        var ceiling = Math.Min(Maximum.Ticks, Initial.Ticks * (1L << exponent));
        var half = ceiling / 2;
        return TimeSpan.FromTicks(half + (long)(_random() * (ceiling - half)));
    }

    /// <summary>Starts again from <see cref="Initial"/>.</summary>
    public void Reset() => _failures = 0;
}
