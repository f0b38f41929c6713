using System.Globalization;
using System.Text;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// The few pieces of Go's <c>strconv</c> that show up in Istio's messages and checks:
/// <c>Quote</c> (what <c>%q</c> prints), <c>ParseBool</c> and the <c>ParseUint</c>/<c>Atoi</c> error texts.
/// </summary>
internal static class GoStrconv
{
    /// <summary>A double-quoted Go string literal for <paramref name="s"/>, as <c>strconv.Quote</c> writes it.</summary>
    public static string Quote(string s)
    {
        var needsWork = false;
        foreach (var c in s)
        {
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f)
            {
                needsWork = true;
                break;
            }
        }

        if (!needsWork)
        {
            return "\"" + s + "\"";
        }

        var sb = new StringBuilder(s.Length + 8);
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            int rune = s[i];
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                rune = char.ConvertToUtf32(s[i], s[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                rune = 0xFFFD;
            }

            AppendRune(sb, rune);
        }

        sb.Append('"');
        return sb.ToString();
    }

    private static void AppendRune(StringBuilder sb, int rune)
    {
        switch (rune)
        {
            case '"':
                sb.Append("\\\"");
                return;
            case '\\':
                sb.Append("\\\\");
                return;
            case '\a':
                sb.Append("\\a");
                return;
            case '\b':
                sb.Append("\\b");
                return;
            case '\f':
                sb.Append("\\f");
                return;
            case '\n':
                sb.Append("\\n");
                return;
            case '\r':
                sb.Append("\\r");
                return;
            case '\t':
                sb.Append("\\t");
                return;
            case '\v':
                sb.Append("\\v");
                return;
        }

        if (IsPrint(rune))
        {
            sb.Append(char.ConvertFromUtf32(rune));
        }
        else if (rune < 0x80)
        {
            sb.Append("\\x").Append(rune.ToString("x2", CultureInfo.InvariantCulture));
        }
        else if (rune <= 0xFFFF)
        {
            sb.Append("\\u").Append(rune.ToString("x4", CultureInfo.InvariantCulture));
        }
        else
        {
            sb.Append("\\U").Append(rune.ToString("x8", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Go's <c>unicode.IsPrint</c>: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    private static bool IsPrint(int rune)
    {
        if (rune < 0x80)
        {
            return rune is >= 0x20 and < 0x7f;
        }

        return CharUnicodeInfo.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }

    /// <summary><c>strconv.ParseBool</c>: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.</summary>
    public static bool TryParseBool(string s, out bool value)
    {
        switch (s)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    public static string ParseBoolError(string s) => $"strconv.ParseBool: parsing {Quote(s)}: invalid syntax";

    /// <summary>
    /// <c>strconv.ParseUint(s, 10, bitSize)</c>: null and the value when it parses, else the error text Go gives
    /// (<c>invalid syntax</c> for anything but ASCII digits, <c>value out of range</c> past the bit size).
    /// </summary>
    public static string? ParseUint(string s, int bitSize, out ulong value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return $"strconv.ParseUint: parsing {Quote(s)}: invalid syntax";
        }

        var max = bitSize >= 64 ? ulong.MaxValue : (1UL << bitSize) - 1;
        var overflow = false;
        foreach (var c in s)
        {
            if (c is < '0' or > '9')
            {
                return $"strconv.ParseUint: parsing {Quote(s)}: invalid syntax";
            }

            if (overflow)
            {
                continue;
            }

            var digit = (ulong)(c - '0');
            if (value > (max - digit) / 10)
            {
                overflow = true;
                continue;
            }

            value = (value * 10) + digit;
        }

        if (overflow)
        {
            value = max;
            return $"strconv.ParseUint: parsing {Quote(s)}: value out of range";
        }

        return null;
    }

    /// <summary>
    /// <c>strconv.Atoi</c> on 64-bit Go: an optional sign, then ASCII digits; null on success, else Go's error text.
    /// </summary>
    public static string? Atoi(string s, out long value)
    {
        value = 0;
        var digits = s.AsSpan();
        var negative = false;
        if (digits.Length > 0 && digits[0] is '+' or '-')
        {
            negative = digits[0] == '-';
            digits = digits[1..];
        }

        if (digits.Length == 0)
        {
            return $"strconv.Atoi: parsing {Quote(s)}: invalid syntax";
        }

        var limit = negative ? 9_223_372_036_854_775_808UL : long.MaxValue;
        ulong acc = 0;
        var overflow = false;
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return $"strconv.Atoi: parsing {Quote(s)}: invalid syntax";
            }

            var digit = (ulong)(c - '0');
            if (!overflow && acc > (limit - digit) / 10)
            {
                overflow = true;
            }

            if (!overflow)
            {
                acc = (acc * 10) + digit;
            }
        }

        if (overflow)
        {
            value = negative ? long.MinValue : long.MaxValue;
            return $"strconv.Atoi: parsing {Quote(s)}: value out of range";
        }

        value = unchecked(negative ? (long)(0 - acc) : (long)acc);
        return null;
    }
}
