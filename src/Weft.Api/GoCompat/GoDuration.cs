using System.Text;

namespace Weft.Api.GoCompat;

/// <summary>
/// Go's <c>time.ParseDuration</c>, which CEL's duration(string) and Istio's decoding of Duration fields use: a signed
/// sequence of decimal numbers, each with an optional fraction and a unit (ns, us, µs, μs, ms, s, m, h), such as
/// "300ms", "-1.5h" or "2h45m"; a bare "0" is the only number allowed without a unit. Exact to the nanosecond.
/// </summary>
internal static class GoDuration
{
    private const ulong MaxMagnitude = 1UL << 63;
    private const string LowerHex = "0123456789abcdef";

    /// <summary>Parses a Go duration to nanoseconds; on failure <paramref name="error"/> is Go's message.</summary>
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
                error = "time: missing unit in duration " + Quote(text);
                return false;
            }

            var unitName = s[..unitLength];
            s = s[unitLength..];
            var unit = Unit(unitName);
            if (unit == 0)
            {
                error = "time: unknown unit " + Quote(unitName.ToString()) + " in duration " + Quote(text);
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
            nanoseconds = total == MaxMagnitude ? long.MinValue : -(long)total;
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
        error = "time: invalid duration " + Quote(text);
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

            if (value > (MaxMagnitude - 1) / 10)
            {
                overflow = true;
                continue;
            }

            var next = (value * 10) + (ulong)(s[i] - '0');
            if (next > MaxMagnitude)
            {
                overflow = true;
                continue;
            }

            value = next;
            scale *= 10;
        }

        s = s[i..];
    }

    /// <summary>
    /// The time package's own quoting, which its errors use instead of strconv's: quote and backslash escaped,
    /// every byte of a control or non-ASCII character as <c>\xNN</c>.
    /// </summary>
    private static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in s.EnumerateRunes())
        {
            if (rune.Value is >= ' ' and < 0x80)
            {
                if (rune.Value is '"' or '\\')
                {
                    sb.Append('\\');
                }

                sb.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..length])
            {
                sb.Append("\\x").Append(LowerHex[b >> 4]).Append(LowerHex[b & 0xF]);
            }
        }

        return sb.Append('"').ToString();
    }
}
