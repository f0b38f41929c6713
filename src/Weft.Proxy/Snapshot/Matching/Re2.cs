using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Weft.Proxy.Xds;

namespace Weft.Proxy.Snapshot.Matching;

/// <summary>
/// Envoy's regexes are RE2. This turns RE2 syntax into an equivalent .NET pattern run by the non-backtracking engine
/// (linear time, like RE2): <c>(?P&lt;name&gt;…)</c> groups, POSIX classes (<c>[[:alpha:]]</c>), <c>\x{…}</c>,
/// <c>\Q…\E</c>, one-letter <c>\pL</c>, ASCII-only <c>\d \w \s</c>, and <c>$</c> as end of text. What RE2 refuses
/// (lookaround, backreferences, <c>\C</c>, ungreedy mode) is refused with a reason, as Envoy would.
/// </summary>
internal static class Re2
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private static readonly Dictionary<string, string> PosixClasses = new(StringComparer.Ordinal)
    {
        ["alnum"] = "0-9A-Za-z",
        ["alpha"] = "A-Za-z",
        ["ascii"] = "\\x00-\\x7F",
        ["blank"] = "\\t ",
        ["cntrl"] = "\\x00-\\x1F\\x7F",
        ["digit"] = "0-9",
        ["graph"] = "!-~",
        ["lower"] = "a-z",
        ["print"] = " -~",
        ["punct"] = "!-/:-@\\[-`{-~",
        ["space"] = "\\t\\n\\v\\f\\r ",
        ["upper"] = "A-Z",
        ["word"] = "0-9A-Za-z_",
        ["xdigit"] = "0-9A-Fa-f",
    };

    /// <summary>A regex that must match the whole input (route paths, header values, string matchers).</summary>
    public static Regex FullMatch(string pattern) => Compile(pattern, full: true);

    /// <summary>A regex that finds matches anywhere (rewrites).</summary>
    public static Regex Search(string pattern) => Compile(pattern, full: false);

    /// <summary>
    /// An RE2 substitution (<c>\1</c> for a group, <c>\\</c> for a backslash) as a .NET replacement pattern.
    /// </summary>
    public static string Substitution(string substitution)
    {
        var result = new StringBuilder(substitution.Length + 8);
        for (var i = 0; i < substitution.Length; i++)
        {
            var c = substitution[i];
            if (c == '\\' && i + 1 < substitution.Length)
            {
                var next = substitution[++i];
                if (char.IsAsciiDigit(next))
                {
                    result.Append("${").Append(next).Append('}');
                }
                else if (next == '\\')
                {
                    result.Append('\\');
                }
                else
                {
                    throw new XdsRejectedException($"the substitution \"{substitution}\" has an invalid escape \\{next} (only \\0-\\9 and \\\\)");
                }
            }
            else if (c == '$')
            {
                result.Append("$$");
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    private static Regex Compile(string pattern, bool full)
    {
        if (pattern.Length == 0)
        {
            throw new XdsRejectedException("a regex must not be empty");
        }

        var translated = Translate(pattern);
        try
        {
            return new Regex(full ? $"\\A(?:{translated})\\z" : translated, Options);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new XdsRejectedException($"the regex \"{pattern}\" is not valid RE2: {e.Message}");
        }
    }

    private static string Translate(string pattern)
    {
        var multiline = pattern.Contains("(?m", StringComparison.Ordinal) || pattern.Contains("(?sm", StringComparison.Ordinal)
            || pattern.Contains("(?im", StringComparison.Ordinal);
        var result = new StringBuilder(pattern.Length + 16);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\':
                    i = Escape(pattern, i, inClass, result);
                    break;
                case '[' when !inClass:
                    inClass = true;
                    result.Append(c);
                    if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                    {
                        result.Append('^');
                        i++;
                    }

                    // A leading ']' is a literal in RE2.
                    if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    {
                        result.Append("\\]");
                        i++;
                    }

                    break;
                case '[' when inClass && i + 1 < pattern.Length && pattern[i + 1] == ':':
                    i = Posix(pattern, i, result);
                    break;
                case '[' when inClass:
                    result.Append("\\[");
                    break;
                case ']' when inClass:
                    inClass = false;
                    result.Append(c);
                    break;
                case '(' when !inClass && i + 1 < pattern.Length && pattern[i + 1] == '?':
                    i = Group(pattern, i, result);
                    break;
                case '$' when !inClass && !multiline:
                    result.Append("\\z");
                    break;
                default:
                    result.Append(c);
                    break;
            }
        }

        return result.ToString();
    }

    private static int Escape(string pattern, int i, bool inClass, StringBuilder result)
    {
        if (i + 1 >= pattern.Length)
        {
            throw new XdsRejectedException($"the regex \"{pattern}\" ends with a lone backslash");
        }

        var next = pattern[i + 1];
        switch (next)
        {
            case 'd':
                result.Append(inClass ? "0-9" : "[0-9]");
                return i + 1;
            case 'D' when !inClass:
                result.Append("[^0-9]");
                return i + 1;
            case 'w':
                result.Append(inClass ? "0-9A-Za-z_" : "[0-9A-Za-z_]");
                return i + 1;
            case 'W' when !inClass:
                result.Append("[^0-9A-Za-z_]");
                return i + 1;
            case 's':
                result.Append(inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]");
                return i + 1;
            case 'S' when !inClass:
                result.Append("[^\\t\\n\\f\\r ]");
                return i + 1;
            case 'C':
                throw new XdsRejectedException($"the regex \"{pattern}\" uses \\C, which is not supported");
            case 'Q':
                var end = pattern.IndexOf("\\E", i + 2, StringComparison.Ordinal);
                var literal = end < 0 ? pattern[(i + 2)..] : pattern[(i + 2)..end];
                result.Append(Regex.Escape(literal));
                return end < 0 ? pattern.Length - 1 : end + 1;
            case 'x' when i + 2 < pattern.Length && pattern[i + 2] == '{':
                var close = pattern.IndexOf('}', i + 3);
                if (close < 0 || !int.TryParse(pattern.AsSpan(i + 3, close - i - 3), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) || code > 0xFFFF)
                {
                    throw new XdsRejectedException($"the regex \"{pattern}\" has a \\x{{…}} escape this proxy cannot read (only up to \\x{{FFFF}})");
                }

                result.Append("\\u").Append(code.ToString("X4", CultureInfo.InvariantCulture));
                return close;
            case 'p' or 'P' when i + 2 < pattern.Length && pattern[i + 2] != '{':
                result.Append('\\').Append(next).Append('{').Append(pattern[i + 2]).Append('}');
                return i + 2;
            case 'k' or 'G' or 'Z':
                throw new XdsRejectedException($"the regex \"{pattern}\" uses \\{next}, which RE2 does not have");
            case >= '1' and <= '9' when !inClass:
                throw new XdsRejectedException($"the regex \"{pattern}\" uses a backreference (\\{next}), which RE2 does not have");
            default:
                result.Append('\\').Append(next);
                return i + 1;
        }
    }

    private static int Posix(string pattern, int i, StringBuilder result)
    {
        var end = pattern.IndexOf(":]", i + 2, StringComparison.Ordinal);
        if (end < 0)
        {
            result.Append("\\[");
            return i;
        }

        var name = pattern[(i + 2)..end];
        if (name.StartsWith('^'))
        {
            throw new XdsRejectedException($"the regex \"{pattern}\" uses a negated POSIX class [:{name}:], which this proxy does not support");
        }

        if (!PosixClasses.TryGetValue(name, out var members))
        {
            throw new XdsRejectedException($"the regex \"{pattern}\" uses an unknown POSIX class [:{name}:]");
        }

        result.Append(members);
        return end + 1;
    }

    private static int Group(string pattern, int i, StringBuilder result)
    {
        var rest = pattern.AsSpan(i + 2);
        if (rest.StartsWith("P<"))
        {
            result.Append("(?<");
            return i + 3;
        }

        if (rest.StartsWith("<") && !rest.StartsWith("<=") && !rest.StartsWith("<!"))
        {
            result.Append("(?");
            return i + 1;
        }

        if (rest.StartsWith("P=") || rest.StartsWith("=") || rest.StartsWith("!") || rest.StartsWith("<=") || rest.StartsWith("<!")
            || rest.StartsWith(">") || rest.StartsWith("(") || rest.StartsWith("#"))
        {
            throw new XdsRejectedException($"the regex \"{pattern}\" uses a group RE2 does not have (lookaround, atomic, conditional, comment or backreference)");
        }

        // Flags: RE2 knows i, m, s and U; U (ungreedy) has no .NET equivalent.
        var j = i + 2;
        while (j < pattern.Length && pattern[j] is not (')' or ':'))
        {
            if (pattern[j] == 'U')
            {
                throw new XdsRejectedException($"the regex \"{pattern}\" uses the ungreedy flag (?U), which this proxy does not support");
            }

            j++;
        }

        result.Append("(?");
        return i + 1;
    }
}
