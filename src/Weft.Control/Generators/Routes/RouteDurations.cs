using Google.Protobuf.WellKnownTypes;
using Weft.Api.GoCompat;

namespace Weft.Control.Generators.Routes;

/// <summary>VirtualService durations (Go duration strings such as <c>1.5s</c> or <c>2m</c>) as protobuf durations.</summary>
internal static class RouteDurations
{
    private const long NanosPerSecond = 1_000_000_000;

    /// <summary>
    /// The duration, exact to the nanosecond; null when absent or unreadable. Validation has already rejected bad
    /// values, so unreadable ones only reach here from unvalidated input and are treated as unset.
    /// </summary>
    public static Duration? Parse(string? text)
    {
        if (text is null || !GoDuration.TryParse(text, out var nanos, out _))
        {
            return null;
        }

        return new Duration { Seconds = nanos / NanosPerSecond, Nanos = (int)(nanos % NanosPerSecond) };
    }
}
