namespace Weft.Proxy.LoadBalancing;

/// <summary>
/// More random values from one draw (splitmix64's finalizer), so that a pick that needs several (least request's
/// choices, a re-pick) stays a pure function of the request's draw and tests can fix it.
/// </summary>
internal static class RandomMix
{
    public static ulong Derive(ulong value, ulong index)
    {
        var z = value + ((index + 1) * 0x9E3779B97F4A7C15);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>A value in [0, 1) from a draw.</summary>
    public static double Fraction(ulong value) => (value >> 11) * (1.0 / (1UL << 53));
}
