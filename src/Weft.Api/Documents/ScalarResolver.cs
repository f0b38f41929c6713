using System.Globalization;

namespace Weft.Api.Documents;

/// <summary>
/// Resolves plain (unquoted) scalars with the YAML 1.2 core schema, as Go's YAML decoder does:
/// <c>yes</c>, <c>on</c> and <c>001:db8::</c> stay strings; <c>0x1F</c> and <c>0o17</c> are integers.
/// </summary>
internal static class ScalarResolver
{
    public static ScalarKind Resolve(string text)
    {
        if (text.Length == 0)
        {
            return ScalarKind.Null;
        }

        switch (text)
        {
            case "~" or "null" or "Null" or "NULL":
                return ScalarKind.Null;
            case "true" or "True" or "TRUE" or "false" or "False" or "FALSE":
                return ScalarKind.Bool;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" or "-.inf" or "-.Inf" or "-.INF" or ".nan" or ".NaN" or ".NAN":
                return ScalarKind.Float;
        }

        var c = text[0];
        if (!(char.IsAsciiDigit(c) || c is '-' or '+' or '.'))
        {
            return ScalarKind.String;
        }

        if (IsInt(text))
        {
            return TryParseInt(text, out _) ? ScalarKind.Int : ScalarKind.Float;
        }

        return IsFloat(text) ? ScalarKind.Float : ScalarKind.String;
    }

    private static bool IsInt(string text)
    {
        var s = text.AsSpan();
        if (s.StartsWith("0x") || s.StartsWith("0X"))
        {
            return s.Length > 2 && AllOf(s[2..], char.IsAsciiHexDigit);
        }

        if (s.StartsWith("0o"))
        {
            return s.Length > 2 && AllOf(s[2..], static ch => ch is >= '0' and <= '7');
        }

        if (s[0] is '-' or '+')
        {
            s = s[1..];
        }

        return s.Length > 0 && AllOf(s, char.IsAsciiDigit);
    }

    private static bool IsFloat(string text)
    {
        // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
        var s = text.AsSpan();
        var i = 0;
        if (i < s.Length && s[i] is '-' or '+')
        {
            i++;
        }

        var intDigits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
            intDigits++;
        }

        var fracDigits = 0;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                fracDigits++;
            }
        }

        if (intDigits == 0 && fracDigits == 0)
        {
            return false;
        }

        if (i < s.Length && s[i] is 'e' or 'E')
        {
            i++;
            if (i < s.Length && s[i] is '-' or '+')
            {
                i++;
            }

            var expDigits = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                expDigits++;
            }

            if (expDigits == 0)
            {
                return false;
            }
        }

        return i == s.Length;
    }

    private static bool AllOf(ReadOnlySpan<char> s, Func<char, bool> predicate)
    {
        foreach (var ch in s)
        {
            if (!predicate(ch))
            {
                return false;
            }
        }

        return true;
    }

    public static bool TryParseInt(string text, out long value)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && value >= 0;
        }

        if (text.StartsWith("0o", StringComparison.Ordinal))
        {
            value = 0;
            foreach (var ch in text.AsSpan(2))
            {
                if (value > (long.MaxValue >> 3))
                {
                    return false;
                }

                value = (value << 3) + (ch - '0');
            }

            return true;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    public static long ParseInt(string text) => TryParseInt(text, out var value) ? value : 0;

    public static double ParseFloat(string text) => text switch
    {
        ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" => double.PositiveInfinity,
        "-.inf" or "-.Inf" or "-.INF" => double.NegativeInfinity,
        ".nan" or ".NaN" or ".NAN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0,
    };
}
