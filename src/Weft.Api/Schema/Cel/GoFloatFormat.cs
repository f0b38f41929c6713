using System.Globalization;
using System.Text;

namespace Weft.Api.Schema.Cel;

/// <summary>
/// Prints doubles the way Go's fmt/strconv do with the shortest exact digits: %g (what cel-go's string(double)
/// uses) and 'f' with precision -1 (what it uses for durations). .NET's "R" supplies the same shortest digits.
/// </summary>
internal static class GoFloatFormat
{
    public static string FormatG(double value)
    {
        if (Special(value) is { } special)
        {
            return special;
        }

        var (negative, digits, point) = Decompose(value);
        var exponent = point - 1;
        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('-');
        }

        // With shortest digits Go's %g uses exponent form below 1e-4 and from 1e6 upwards.
        if (exponent < -4 || exponent >= 6)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(exponent < 0 ? '-' : '+');
            var magnitude = Math.Abs(exponent);
            if (magnitude < 10)
            {
                sb.Append('0');
            }

            sb.Append(magnitude.ToString(CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        AppendFixed(sb, digits, point);
        return sb.ToString();
    }

    public static string FormatF(double value)
    {
        if (Special(value) is { } special)
        {
            return special;
        }

        var (negative, digits, point) = Decompose(value);
        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('-');
        }

        AppendFixed(sb, digits, point);
        return sb.ToString();
    }

    private static string? Special(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => null,
    };

    private static void AppendFixed(StringBuilder sb, string digits, int point)
    {
        if (point <= 0)
        {
            sb.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            sb.Append(digits).Append('0', point - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }
    }

    /// <summary>Shortest round-trip digits (no leading or trailing zeros, "0" for zero) and the decimal point position.</summary>
    private static (bool Negative, string Digits, int Point) Decompose(double value)
    {
        var negative = double.IsNegative(value);
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var e = shortest.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? shortest : shortest[..e];
        var exponent = e < 0 ? 0 : int.Parse(shortest.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot < 0 ? mantissa : mantissa[..dot];
        var fracPart = dot < 0 ? string.Empty : mantissa[(dot + 1)..];
        var all = intPart + fracPart;
        var point = intPart.Length + exponent;
        var lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0')
        {
            lead++;
        }

        all = all[lead..];
        point -= lead;
        all = all.TrimEnd('0');
        if (all.Length == 0)
        {
            return (negative, "0", 1);
        }

        return (negative, all, point);
    }
}
