using System.Globalization;
using System.Text;
using Weft.Api.Documents;
using Weft.Api.GoCompat;

namespace Weft.Api.Schema;

/// <summary>
/// Renders values the way Go's fmt, strconv and encoding/json do, because the API server's messages embed them
/// (<c>%q</c> strings, <c>%v</c> numbers, JSON objects) and users compare our text with kubectl's.
/// </summary>
internal static class GoText
{
    /// <summary>fmt's <c>%v</c> of a float64 (strconv's shortest <c>%g</c>).</summary>
    public static string FormatFloat(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "+Inf" : "-Inf";
        }

        var (digits, point, negative) = ShortestDigits(d);
        var exp = point - 1;

        // The shortest %g uses an exponent when it is below -4 or at least 6, which is why Go prints 1e+06 for a million.
        var text = exp < -4 || exp >= 6 ? Exponent(digits, exp, cleanExponent: false) : Fixed(digits, point);
        return negative ? "-" + text : text;
    }

    /// <summary>encoding/json's rendering of a float64.</summary>
    public static string JsonFloat(double d)
    {
        if (!double.IsFinite(d))
        {
            return FormatFloat(d);
        }

        var (digits, point, negative) = ShortestDigits(d);
        var abs = Math.Abs(d);
        var text = abs != 0 && (abs < 1e-6 || abs >= 1e21) ? Exponent(digits, point - 1, cleanExponent: true) : Fixed(digits, point);
        return negative ? "-" + text : text;
    }

    /// <summary>encoding/json of a string: HTML-sensitive characters escaped as Go does by default.</summary>
    public static void AppendJsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (c < ' ')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>json.Marshal of the decoded value of <paramref name="node"/>: object keys sorted, numbers as decoded.</summary>
    public static string Json(Node node)
    {
        var sb = new StringBuilder();
        AppendJson(sb, node);
        return sb.ToString();
    }

    public static void AppendJson(StringBuilder sb, Node node)
    {
        switch (node)
        {
            case MapNode map:
                var entries = new MapEntry[map.Count];
                for (var i = 0; i < entries.Length; i++)
                {
                    entries[i] = map.Entries[i];
                }

                Array.Sort(entries, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
                sb.Append('{');
                for (var i = 0; i < entries.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    AppendJsonString(sb, entries[i].Key);
                    sb.Append(':');
                    AppendJson(sb, entries[i].Value);
                }

                sb.Append('}');
                return;
            case ListNode list:
                sb.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    AppendJson(sb, list.Items[i]);
                }

                sb.Append(']');
                return;
        }

        var value = JsonValue.Of(node);
        switch (value.Kind)
        {
            case JsonKind.Null: sb.Append("null"); break;
            case JsonKind.Boolean: sb.Append(((ScalarNode)node).AsBool() ? "true" : "false"); break;
            case JsonKind.Integer: sb.Append(value.Integer.ToString(CultureInfo.InvariantCulture)); break;
            case JsonKind.Number: sb.Append(JsonFloat(value.Number)); break;
            default: AppendJsonString(sb, value.Text); break;
        }
    }

    /// <summary>
    /// The API server's rendering of a bad value inside "Invalid value: X": <c>%v</c> for numbers and booleans,
    /// <c>%q</c> for strings, JSON for everything else (including null).
    /// </summary>
    public static string BadValue(in JsonValue value) => value.Kind switch
    {
        JsonKind.Null => "null",
        JsonKind.Boolean => ((ScalarNode)value.Node).AsBool() ? "true" : "false",
        JsonKind.Integer => value.Integer.ToString(CultureInfo.InvariantCulture),
        JsonKind.Number => FormatFloat(value.Number),
        JsonKind.String => GoStrconv.Quote(value.Text),
        _ => Json(value.Node),
    };

    private static (string Digits, int Point, bool Negative) ShortestDigits(double d)
    {
        var negative = d < 0 || (d == 0 && double.IsNegative(d));
        if (d == 0)
        {
            return ("0", 1, negative);
        }

        // "R" gives the shortest text that round-trips, in either fixed or exponent form; normalise both to a
        // digit string and the position of the decimal point.
        var s = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        var e = s.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? s : s[..e];
        var exp10 = e < 0 ? 0 : int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? mantissa : mantissa[..dot];
        var digits = dot < 0 ? whole : whole + mantissa[(dot + 1)..];
        var point = whole.Length + exp10;
        var start = 0;
        while (start < digits.Length - 1 && digits[start] == '0')
        {
            start++;
            point--;
        }

        var end = digits.Length;
        while (end > start + 1 && digits[end - 1] == '0')
        {
            end--;
        }

        return (digits[start..end], point, negative);
    }

    private static string Fixed(string digits, int point)
    {
        if (point <= 0)
        {
            return "0." + new string('0', -point) + digits;
        }

        if (point >= digits.Length)
        {
            return digits + new string('0', point - digits.Length);
        }

        return digits[..point] + "." + digits[point..];
    }

    private static string Exponent(string digits, int exp, bool cleanExponent)
    {
        var sb = new StringBuilder();
        sb.Append(digits[0]);
        if (digits.Length > 1)
        {
            sb.Append('.').Append(digits, 1, digits.Length - 1);
        }

        sb.Append('e').Append(exp < 0 ? '-' : '+');
        var magnitude = Math.Abs(exp).ToString(CultureInfo.InvariantCulture);
        if (magnitude.Length < 2 && !cleanExponent)
        {
            sb.Append('0');
        }

        sb.Append(magnitude);
        return sb.ToString();
    }
}
