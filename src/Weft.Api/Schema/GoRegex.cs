using System.Text;

namespace Weft.Api.Schema;

/// <summary>
/// Rewrites a Go (RE2) pattern, as found in CRD <c>pattern</c> fields, into .NET syntax with the same meaning.
/// </summary>
/// <remarks>
/// The differences that matter in practice: Go's <c>$</c> matches only at the very end of the text (.NET also
/// matches before a final newline), Go's <c>\d</c>, <c>\w</c> and <c>\s</c> are ASCII-only, and Go spells named
/// groups <c>(?P&lt;name&gt;...)</c> and single-letter classes <c>\pL</c>. RE2 has no backreferences or lookaround,
/// so every valid pattern is also valid for .NET's linear-time engine.
/// </remarks>
internal static class GoRegex
{
    public static string ToDotNet(string pattern)
    {
        var multiline = HasMultilineFlag(pattern);
        var sb = new StringBuilder(pattern.Length + 16);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                i = Escape(pattern, i, inClass, sb);
                continue;
            }

            if (inClass)
            {
                if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':' && TryPosixClass(pattern, ref i, sb))
                {
                    continue;
                }

                if (c == ']')
                {
                    inClass = false;
                }

                sb.Append(c);
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    sb.Append(c);

                    // A ']' right after '[' or '[^' is a literal in both dialects; copy it so it does not close the class.
                    if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                    {
                        sb.Append('^');
                        i++;
                    }

                    if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    {
                        sb.Append("\\]");
                        i++;
                    }

                    break;
                case '$':
                    // Under (?m) both dialects match before any newline; otherwise Go matches only at the very end.
                    sb.Append(multiline ? "$" : "\\z");
                    break;
                case '(' when string.CompareOrdinal(pattern, i, "(?P<", 0, 4) == 0:
                    sb.Append("(?<");
                    i += 3;
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }

    private static int Escape(string p, int i, bool inClass, StringBuilder sb)
    {
        var e = p[i + 1];
        switch (e)
        {
            case 'd': sb.Append(inClass ? "0-9" : "[0-9]"); return i + 1;
            case 'D' when !inClass: sb.Append("[^0-9]"); return i + 1;
            case 'w': sb.Append(inClass ? "0-9A-Za-z_" : "[0-9A-Za-z_]"); return i + 1;
            case 'W' when !inClass: sb.Append("[^0-9A-Za-z_]"); return i + 1;
            case 's': sb.Append(inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]"); return i + 1;
            case 'S' when !inClass: sb.Append("[^\\t\\n\\f\\r ]"); return i + 1;
            case 'z': sb.Append("\\z"); return i + 1;
            case 'p' or 'P' when i + 2 < p.Length && p[i + 2] != '{':
                // \pL is \p{L} in .NET.
                sb.Append('\\').Append(e).Append('{').Append(p[i + 2]).Append('}');
                return i + 2;
            case 'Q':
                var end = p.IndexOf("\\E", i + 2, StringComparison.Ordinal);
                var literal = end < 0 ? p[(i + 2)..] : p[(i + 2)..end];
                foreach (var ch in literal)
                {
                    if (!char.IsAsciiLetterOrDigit(ch))
                    {
                        sb.Append('\\');
                    }

                    sb.Append(ch);
                }

                return end < 0 ? p.Length - 1 : end + 1;
            default:
                sb.Append('\\').Append(e);
                return i + 1;
        }
    }

    private static bool TryPosixClass(string p, ref int i, StringBuilder sb)
    {
        var close = p.IndexOf(":]", i + 2, StringComparison.Ordinal);
        if (close < 0)
        {
            return false;
        }

        var ranges = p[(i + 2)..close] switch
        {
            "alnum" => "0-9A-Za-z",
            "alpha" => "A-Za-z",
            "ascii" => "\\x00-\\x7F",
            "blank" => "\\t ",
            "cntrl" => "\\x00-\\x1F\\x7F",
            "digit" => "0-9",
            "graph" => "!-~",
            "lower" => "a-z",
            "print" => " -~",
            "punct" => "!-/:-@\\[-`{-~",
            "space" => "\\t\\n\\v\\f\\r ",
            "upper" => "A-Z",
            "word" => "0-9A-Za-z_",
            "xdigit" => "0-9A-Fa-f",
            _ => null,
        };
        if (ranges is null)
        {
            return false;
        }

        sb.Append(ranges);
        i = close + 1;
        return true;
    }

    private static bool HasMultilineFlag(string pattern)
    {
        var at = 0;
        while ((at = pattern.IndexOf("(?", at, StringComparison.Ordinal)) >= 0)
        {
            at += 2;
            while (at < pattern.Length && (char.IsAsciiLetter(pattern[at]) || pattern[at] == '-'))
            {
                if (pattern[at] == 'm')
                {
                    return true;
                }

                at++;
            }
        }

        return false;
    }
}
