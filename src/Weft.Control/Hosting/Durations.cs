using Weft.Api.GoCompat;

namespace Weft.Control.Hosting;

/// <summary>Parses the durations of the command line, written as Istio's flags take them (Go's form: <c>24h</c>, <c>90m</c>, <c>1h30m</c>).</summary>
public static class Durations
{
    public static TimeSpan ParsePositive(string value, string flag)
    {
        if (!GoDuration.TryParse(value, out var nanoseconds, out _))
        {
            throw new FormatException($"{flag} \"{value}\" is not a duration (for example 24h, 90m or 1h30m)");
        }

        var duration = TimeSpan.FromTicks(nanoseconds / 100);
        return duration >= TimeSpan.FromSeconds(1) ? duration : throw new FormatException($"{flag} \"{value}\" must be at least one second");
    }
}
