using System.Globalization;
using System.Text;

namespace Weft.Api.GoCompat;

/// <summary>
/// The parts of Go's <c>strconv</c> whose exact behaviour shows in Istio's and the API server's messages:
/// <c>Quote</c> (what <c>%q</c> prints), <c>Atoi</c>, <c>ParseUint</c> and <c>ParseBool</c> with their error texts.
/// </summary>
internal static class GoStrconv
{
    /// <summary><c>strconv.Quote</c>: double quotes, Go's escapes, printable Unicode kept as is.</summary>
    public static string Quote(string s)
    {
        // Most quoted values are plain ASCII; they need no builder.
        var plain = true;
        foreach (var c in s)
        {
            if (c is < ' ' or > '~' or '"' or '\\')
            {
                plain = false;
                break;
            }
        }

        if (plain)
        {
            return "\"" + s + "\"";
        }

        var sb = new StringBuilder(s.Length + 8);
        AppendQuoted(sb, s);
        return sb.ToString();
    }

    public static void AppendQuoted(StringBuilder sb, string s)
    {
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
                // Text decoded from YAML or JSON carries U+FFFD where Go would have seen a broken sequence.
                rune = 0xFFFD;
            }

            AppendRune(sb, rune);
        }

        sb.Append('"');
    }

    /// <summary>
    /// <c>strconv.Quote</c> of a byte string (one UTF-8 byte per char, see <see cref="GoStrings"/>): bytes that do not
    /// form valid UTF-8 are written as <c>\xNN</c>, as Go writes them.
    /// </summary>
    public static string QuoteBytes(string byteString)
    {
        var bytes = Encoding.Latin1.GetBytes(byteString);
        var sb = new StringBuilder(bytes.Length + 2).Append('"');
        var rest = bytes.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(rest, out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                AppendRune(sb, rune.Value);
            }
            else
            {
                sb.Append("\\x").Append(rest[0].ToString("x2", CultureInfo.InvariantCulture));
                consumed = 1;
            }

            rest = rest[consumed..];
        }

        return sb.Append('"').ToString();
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
        }

        if (IsPrint(rune))
        {
            sb.Append(char.ConvertFromUtf32(rune));
            return;
        }

        switch (rune)
        {
            case '\a': sb.Append("\\a"); return;
            case '\b': sb.Append("\\b"); return;
            case '\f': sb.Append("\\f"); return;
            case '\n': sb.Append("\\n"); return;
            case '\r': sb.Append("\\r"); return;
            case '\t': sb.Append("\\t"); return;
            case '\v': sb.Append("\\v"); return;
        }

        if (rune < ' ' || rune == 0x7F)
        {
            sb.Append("\\x").Append(rune.ToString("x2", CultureInfo.InvariantCulture));
        }
        else if (rune < 0x10000)
        {
            sb.Append("\\u").Append(rune.ToString("x4", CultureInfo.InvariantCulture));
        }
        else
        {
            sb.Append("\\U").Append(rune.ToString("x8", CultureInfo.InvariantCulture));
        }
    }

    /// <summary><c>strconv.IsPrint</c>: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    private static bool IsPrint(int rune)
    {
        if (rune < 0x80)
        {
            return rune is >= 0x20 and < 0x7F;
        }

        return CharUnicodeInfo.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator => false,
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
    /// (<c>invalid syntax</c> for anything but ASCII digits, <c>value out of range</c> past the bit size, with the
    /// value clamped to the maximum as Go does).
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
                value = 0;
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
    /// <c>strconv.Atoi</c> on 64-bit Go: an optional sign, then ASCII digits. Null on success, else Go's error text;
    /// out of range, the value is clamped to the nearest limit as Go does.
    /// </summary>
    public static string? Atoi(string s, out long value) => Atoi(s.AsSpan(), out value) switch
    {
        AtoiResult.Ok => null,
        AtoiResult.Syntax => $"strconv.Atoi: parsing {Quote(s)}: invalid syntax",
        _ => $"strconv.Atoi: parsing {Quote(s)}: value out of range",
    };

    /// <summary><c>strconv.Atoi</c> when only success matters.</summary>
    public static bool TryAtoi(ReadOnlySpan<char> s, out long value) => Atoi(s, out value) == AtoiResult.Ok;

    private enum AtoiResult
    {
        Ok,
        Syntax,
        Range,
    }

    private static AtoiResult Atoi(ReadOnlySpan<char> s, out long value)
    {
        value = 0;
        var negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.IsEmpty)
        {
            return AtoiResult.Syntax;
        }

        var limit = negative ? 9_223_372_036_854_775_808UL : long.MaxValue;
        ulong acc = 0;
        var overflow = false;
        foreach (var c in s)
        {
            if (c is < '0' or > '9')
            {
                return AtoiResult.Syntax;
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
            return AtoiResult.Range;
        }

        value = unchecked(negative ? (long)(0 - acc) : (long)acc);
        return AtoiResult.Ok;
    }
}
