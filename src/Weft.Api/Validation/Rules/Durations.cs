using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// Istio's check of a Duration field (<c>agent.ValidateDuration</c>) on the Go duration strings its YAML carries
/// (<c>1h2m</c>, <c>1.5s</c>, <c>300ms</c>), which Istio decodes with Go's <c>time.ParseDuration</c>.
/// </summary>
internal static class Durations
{
    public const long NanosPerMillisecond = 1_000_000;
    public const long NanosPerSecond = 1_000_000_000;

    /// <summary>
    /// At least 1ms and whole milliseconds. Returns null when valid, else the message; text that is no duration at
    /// all yields the decoder's message.
    /// </summary>
    public static string? Validate(string text)
    {
        if (!GoDuration.TryParse(text, out var nanos, out var error))
        {
            return "bad Duration: " + error;
        }

        return ValidateNanoseconds(nanos);
    }

    /// <summary>Reports <see cref="Validate(string)"/>'s message at <paramref name="path"/> when a value is given and invalid.</summary>
    public static void Validate(ValidationContext context, string path, string? text)
    {
        if (text is not null && Validate(text) is { } error)
        {
            context.Error(path, error);
        }
    }

    /// <summary><c>agent.ValidateDuration</c> on a parsed value.</summary>
    public static string? ValidateNanoseconds(long nanos)
    {
        if (nanos < NanosPerMillisecond)
        {
            return "duration must be greater than 1ms";
        }

        return nanos % NanosPerMillisecond != 0 ? "only durations to ms precision are supported" : null;
    }
}
