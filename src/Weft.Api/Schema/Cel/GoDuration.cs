using Weft.Api.GoCompat;

namespace Weft.Api.Schema.Cel;

/// <summary>
/// Go's time.ParseDuration, which CEL's duration(string) uses: a signed sequence of decimal numbers, each
/// with an optional fraction and a unit (ns, us, µs, μs, ms, s, m, h), such as "300ms", "-1.5h" or "2h45m";
/// a bare "0" is the only number allowed without a unit.
/// </summary>
internal static class GoDuration
{
    private const ulong MaxMagnitude = 1UL << 63;

    public static bool TryParse(string text, out long nanoseconds, out string? error)
    {
        nanoseconds = 0;
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

        if (s.IsEmpty)
        {
            return Fail(text, out error);
        }

        ulong total = 0;
        while (!s.IsEmpty)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                return Fail(text, out error);
            }

            var before = s.Length;
            if (!LeadingInt(ref s, out var whole))
            {
                return Fail(text, out error);
            }

            var hasWhole = s.Length != before;
            ulong fraction = 0;
            double scale = 1;
            var hasFraction = false;
            if (!s.IsEmpty && s[0] == '.')
            {
                s = s[1..];
                before = s.Length;
                LeadingFraction(ref s, out fraction, out scale);
                hasFraction = s.Length != before;
            }

            if (!hasWhole && !hasFraction)
            {
                return Fail(text, out error);
            }

            var unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength]))
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                error = $"time: missing unit in duration \"{text}\"";
                return false;
            }

            var unitName = s[..unitLength];
            s = s[unitLength..];
            var unit = Unit(unitName);
            if (unit == 0)
            {
                error = $"time: unknown unit \"{unitName}\" in duration \"{text}\"";
                return false;
            }

            if (whole > MaxMagnitude / unit)
            {
                return Fail(text, out error);
            }

            var value = whole * unit;
            if (fraction > 0)
            {
                // Floating point keeps fractions of hours accurate to the nanosecond, as in Go.
                value += (ulong)(fraction * (unit / scale));
                if (value > MaxMagnitude)
                {
                    return Fail(text, out error);
                }
            }

            total += value;
            if (total > MaxMagnitude)
            {
                return Fail(text, out error);
            }
        }

        if (negative)
        {
            nanoseconds = unchecked(-(long)total);
            return true;
        }

        if (total > long.MaxValue)
        {
            return Fail(text, out error);
        }

        nanoseconds = (long)total;
        return true;
    }

    /// <summary>How cel-go prints a duration: seconds, in the shortest exact decimal, with an "s" suffix.</summary>
    public static string Format(long nanoseconds)
    {
        var seconds = nanoseconds / 1_000_000_000;
        var remainder = nanoseconds % 1_000_000_000;
        var value = seconds + (remainder / 1e9);
        return GoFloatFormat.FormatF(value) + "s";
    }

    private static bool Fail(string text, out string? error)
    {
        error = $"time: invalid duration \"{text}\"";
        return false;
    }

    private static ulong Unit(ReadOnlySpan<char> name) => name switch
    {
        "ns" => 1,
        "us" or "\u00B5s" or "\u03BCs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => 0,
    };

    private static bool LeadingInt(ref ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (value > MaxMagnitude / 10)
            {
                return false;
            }

            value = (value * 10) + (ulong)(s[i] - '0');
            if (value > MaxMagnitude)
            {
                return false;
            }
        }

        s = s[i..];
        return true;
    }

    /// <summary>Reads the digits after the point; digits beyond what fits are dropped, not an error.</summary>
    private static void LeadingFraction(ref ReadOnlySpan<char> s, out ulong value, out double scale)
    {
        value = 0;
        scale = 1;
        var overflow = false;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (overflow)
            {
                continue;
            }

            if (value > long.MaxValue / 10)
            {
                overflow = true;
                continue;
            }

            var next = (value * 10) + (ulong)(s[i] - '0');
            if (next > long.MaxValue)
            {
                overflow = true;
                continue;
            }

            value = next;
            scale *= 10;
        }

        s = s[i..];
    }
}
