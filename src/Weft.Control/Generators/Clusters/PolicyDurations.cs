using Google.Protobuf.WellKnownTypes;
using Weft.Api.GoCompat;

namespace Weft.Control.Generators.Clusters;

/// <summary>DestinationRule durations (Go duration strings such as <c>30s</c> or <c>1.5m</c>) as protobuf durations.</summary>
internal static class PolicyDurations
{
    private const long NanosPerSecond = 1_000_000_000;

    /// <summary>
    /// The duration, exact to the nanosecond; null when absent. Validation rejected unreadable values before they got
    /// here, so one that still cannot be read is treated as unset, as Istio treats a missing field.
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
