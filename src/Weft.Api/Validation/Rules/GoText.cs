using System.Globalization;
using System.Text;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// Renders values the way Istio's Go messages print them (<c>%q</c>, <c>%v</c> of floats and string slices),
/// so Weft's messages read like istioctl's.
/// </summary>
internal static class GoText
{
    /// <summary>A Go double-quoted string literal, as <c>%q</c> prints it.</summary>
    public static string Quote(string value)
    {
        var needsEscape = false;
        foreach (var c in value)
        {
            if (c is '"' or '\\' || c < 0x20 || c == 0x7f || char.IsSurrogate(c))
            {
                needsEscape = true;
                break;
            }
        }

        if (!needsEscape)
        {
            return "\"" + value + "\"";
        }

        var sb = new StringBuilder(value.Length + 8);
        sb.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        sb.Append(c).Append(value[i + 1]);
                        i++;
                    }
                    else if (char.IsSurrogate(c))
                    {
                        sb.Append("\\ufffd");
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

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

    /// <summary>Go's <c>strconv.Atoi</c>: an optional sign and decimal digits that fit in 64 bits.</summary>
    public static bool TryAtoi(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        var s = text;
        var negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.Length == 0)
        {
            return false;
        }

        ulong acc = 0;
        foreach (var c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            if (acc > (ulong.MaxValue - 9) / 10)
            {
                return false;
            }

            acc = (acc * 10) + (ulong)(c - '0');
        }

        if (negative)
        {
            if (acc > (ulong)long.MaxValue + 1)
            {
                return false;
            }

            value = acc == (ulong)long.MaxValue + 1 ? long.MinValue : -(long)acc;
            return true;
        }

        if (acc > long.MaxValue)
        {
            return false;
        }

        value = (long)acc;
        return true;
    }

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
