using System.Globalization;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// Durations as Istio's YAML carries them: Go duration strings (<c>1h2m</c>, <c>1.5s</c>, <c>300ms</c>, <c>10us</c>).
/// </summary>
internal static class Durations
{
    /// <summary>Parses a Go duration; false when the text is not one.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.AsSpan();
        if (s.Length == 0)
        {
            return false;
        }

        var negative = false;
        if (s[0] is '-' or '+')
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
            return false;
        }

        decimal totalNanos = 0;
        while (s.Length > 0)
        {
            var i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == 0 || !decimal.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            s = s[i..];
            var j = 0;
            while (j < s.Length && !char.IsAsciiDigit(s[j]) && s[j] != '.')
            {
                j++;
            }

            decimal unit = s[..j] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60m * 1_000_000_000m,
                "h" => 3600m * 1_000_000_000m,
                _ => -1m,
            };
            if (unit < 0)
            {
                return false;
            }

            totalNanos += number * unit;
            if (totalNanos > long.MaxValue)
            {
                return false;
            }

            s = s[j..];
        }

        var ticks = (long)(totalNanos / 100m);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }
}
