using System.Globalization;
using System.Text;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// Renders values the way Istio's Go messages print them (<c>%q</c>, <c>%v</c> of floats and string slices),
/// so Weft's messages read like istioctl's.
/// </summary>
internal static class GoText
{
    /// <summary>A float64 as Go's <c>%v</c> prints it (shortest digits; exponent form below 1e-4 and from 1e6).</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        // Shortest round-trip digits and the decimal exponent, then Go's shortest %g layout.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        var body = negative ? shortest[1..] : shortest;
        var exponent = 0;
        var ePos = body.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            exponent = int.Parse(body[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            body = body[..ePos];
        }

        var dot = body.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot < 0 ? body : body[..dot];
        var fracPart = dot < 0 ? string.Empty : body[(dot + 1)..];
        var digits = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - digits.Length;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        // Decimal point position relative to the digit string.
        var dp = intPart.Length + exponent - leadingZeros;
        var exp = dp - 1;
        string text;
        if (exp < -4 || exp >= 6)
        {
            var mant = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            var sign = exp < 0 ? "-" : "+";
            var abs = Math.Abs(exp);
            text = mant + "e" + sign + (abs < 10 ? "0" : string.Empty) + abs.ToString(CultureInfo.InvariantCulture);
        }
        else if (dp <= 0)
        {
            text = "0." + new string('0', -dp) + digits;
        }
        else if (dp >= digits.Length)
        {
            text = digits + new string('0', dp - digits.Length);
        }
        else
        {
            text = digits[..dp] + "." + digits[dp..];
        }

        return negative ? "-" + text : text;
    }

    /// <summary>A float64 as Go's <c>%f</c> prints it (six decimals).</summary>
    public static string Fixed(double value) => value.ToString("F6", CultureInfo.InvariantCulture);

    /// <summary>A string slice as Go's <c>%v</c> prints it: <c>[a b c]</c>.</summary>
    public static string List(IEnumerable<string>? values) => "[" + (values is null ? string.Empty : string.Join(' ', values)) + "]";

    /// <summary>The length of <paramref name="value"/> in UTF-8 bytes, as Go's <c>len</c> counts a string.</summary>
    public static int ByteLength(string value)
    {
        foreach (var c in value)
        {
            if (c > 0x7f)
            {
                return Encoding.UTF8.GetByteCount(value);
            }
        }

        return value.Length;
    }
}
