using System.Globalization;
using System.Text;

namespace Weft.Api.GoCompat;

/// <summary>
/// Doubles printed as Go prints them: <c>%v</c> (strconv's shortest <c>'g'</c>, also what cel-go's string(double)
/// uses), shortest <c>'f'</c> (cel-go's durations), <c>%f</c>, and encoding/json's choice between the two forms.
/// .NET's "R" supplies the same shortest round-trip digits as Go.
/// </summary>
internal static class GoFloatFormat
{
    /// <summary><c>%v</c> of a float64: <c>strconv.FormatFloat(f, 'g', -1, 64)</c>.</summary>
    public static string FormatG(double value) =>
        // With shortest digits Go's %g uses exponent form below 1e-4 and from 1e6 upwards, hence 1e+06 for a million.
        Format(value, static (_, exponent) => exponent < -4 || exponent >= 6, padExponent: true);

    /// <summary><c>strconv.FormatFloat(f, 'f', -1, 64)</c>: the shortest digits, never an exponent.</summary>
    public static string FormatF(double value) => Format(value, static (_, _) => false, padExponent: false);

    /// <summary><c>%f</c>: six decimals, rounded exactly as Go does.</summary>
    public static string FormatFixed(double value) => value.ToString("F6", CultureInfo.InvariantCulture);

    /// <summary>encoding/json's float64: fixed form, exponent form (without a padded exponent) below 1e-6 and from 1e21.</summary>
    public static string FormatJson(double value) =>
        Format(value, static (abs, _) => abs != 0 && (abs < 1e-6 || abs >= 1e21), padExponent: false);

    /// <summary>Shortest digits, in exponent form when <paramref name="useExponent"/> says so for |value| and its exponent.</summary>
    private static string Format(double value, Func<double, int, bool> useExponent, bool padExponent)
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

        if (useExponent(Math.Abs(value), point - 1))
        {
            AppendExponent(sb, digits, point - 1, padExponent);
        }
        else
        {
            AppendFixed(sb, digits, point);
        }

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

    private static void AppendExponent(StringBuilder sb, string digits, int exponent, bool padExponent)
    {
        sb.Append(digits[0]);
        if (digits.Length > 1)
        {
            sb.Append('.').Append(digits, 1, digits.Length - 1);
        }

        sb.Append('e').Append(exponent < 0 ? '-' : '+');
        var magnitude = Math.Abs(exponent);
        if (padExponent && magnitude < 10)
        {
            sb.Append('0');
        }

        sb.Append(magnitude.ToString(CultureInfo.InvariantCulture));
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
