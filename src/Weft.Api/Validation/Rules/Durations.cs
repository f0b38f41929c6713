using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// Durations as Istio's YAML carries them: Go duration strings (<c>1h2m</c>, <c>1.5s</c>, <c>300ms</c>, <c>10us</c>),
/// parsed as Go's <c>time.ParseDuration</c> does (Istio's JSON decoding of <c>google.protobuf.Duration</c> uses it),
/// to the nanosecond.
/// </summary>
internal static class Durations
{
    public const long NanosPerMillisecond = 1_000_000;
    public const long NanosPerSecond = 1_000_000_000;

    /// <summary>Parses a Go duration; false when the text is not one. Sub-tick precision is truncated.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        if (TryParseNanoseconds(text, out var nanos, out _))
        {
            value = TimeSpan.FromTicks(nanos / 100);
            return true;
        }

        value = TimeSpan.Zero;
        return false;
    }

    /// <summary>Parses a Go duration to nanoseconds; on failure <paramref name="error"/> is Go's message.</summary>
    public static bool TryParseNanoseconds(string text, out long nanos, out string? error)
    {
        nanos = 0;
        error = null;
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            error = Invalid(text);
            return false;
        }

        const ulong limit = 1UL << 63;
        ulong total = 0;
        while (s.Length > 0)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                error = Invalid(text);
                return false;
            }

            // Leading integer.
            ulong v = 0;
            var i = 0;
            for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
            {
                if (v > limit / 10)
                {
                    error = Invalid(text);
                    return false;
                }

                v = (v * 10) + (ulong)(s[i] - '0');
                if (v > limit)
                {
                    error = Invalid(text);
                    return false;
                }
            }

            var pre = i > 0;
            s = s[i..];

            // Optional fraction.
            ulong f = 0;
            double scale = 1;
            var post = false;
            if (s.Length > 0 && s[0] == '.')
            {
                s = s[1..];
                var overflow = false;
                var j = 0;
                for (; j < s.Length && char.IsAsciiDigit(s[j]); j++)
                {
                    if (overflow)
                    {
                        continue;
                    }

                    if (f > (limit - 1) / 10)
                    {
                        overflow = true;
                        continue;
                    }

                    var y = (f * 10) + (ulong)(s[j] - '0');
                    if (y > limit)
                    {
                        overflow = true;
                        continue;
                    }

                    f = y;
                    scale *= 10;
                }

                post = j > 0;
                s = s[j..];
            }

            if (!pre && !post)
            {
                error = Invalid(text);
                return false;
            }

            // Unit.
            var k = 0;
            while (k < s.Length && s[k] != '.' && !char.IsAsciiDigit(s[k]))
            {
                k++;
            }

            if (k == 0)
            {
                error = "time: missing unit in duration " + GoStrconv.Quote(text);
                return false;
            }

            var unitText = s[..k];
            ulong unit = unitText switch
            {
                "ns" => 1UL,
                "us" or "\u00b5s" or "\u03bcs" => 1_000UL,
                "ms" => 1_000_000UL,
                "s" => 1_000_000_000UL,
                "m" => 60UL * 1_000_000_000UL,
                "h" => 3600UL * 1_000_000_000UL,
                _ => 0UL,
            };
            if (unit == 0)
            {
                error = "time: unknown unit " + GoStrconv.Quote(unitText.ToString()) + " in duration " + GoStrconv.Quote(text);
                return false;
            }

            s = s[k..];
            if (v > limit / unit)
            {
                error = Invalid(text);
                return false;
            }

            v *= unit;
            if (f > 0)
            {
                v += (ulong)(f * (unit / scale));
                if (v > limit)
                {
                    error = Invalid(text);
                    return false;
                }
            }

            total += v;
            if (total > limit)
            {
                error = Invalid(text);
                return false;
            }
        }

        if (negative)
        {
            nanos = total == limit ? long.MinValue : -(long)total;
            return true;
        }

        if (total > long.MaxValue)
        {
            error = Invalid(text);
            return false;
        }

        nanos = (long)total;
        return true;
    }

    private static string Invalid(string text) => "time: invalid duration " + GoStrconv.Quote(text);

    /// <summary>
    /// Istio's check of a Duration field (<c>agent.ValidateDuration</c>): at least 1ms and whole milliseconds.
    /// Returns null when valid, else the message; text that is no duration at all yields the decoder's message.
    /// </summary>
    public static string? Validate(string text)
    {
        if (!TryParseNanoseconds(text, out var nanos, out var error))
        {
            return "bad Duration: " + error;
        }

        return ValidateNanoseconds(nanos);
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
