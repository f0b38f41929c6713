namespace Weft.Api.Validation.Rules;

/// <summary>
/// Checks a pattern against the syntax of Go's <c>regexp</c> package (RE2 with Perl extensions), the way
/// <c>regexp.Compile</c> would, without compiling it. Errors read as Go's (<c>error parsing regexp: ...</c>).
/// Covers what RE2 rejects and .NET would accept or read differently: stacked repetitions (<c>a++</c>), lookaround,
/// atomic groups, backreferences, repeat counts over 1000, and unbalanced groups and classes.
/// </summary>
internal static class Re2Syntax
{
    private const int MaxRepeat = 1000;

    /// <summary>Null when Go would compile <paramref name="pattern"/>, else Go's message.</summary>
    public static string? Check(string pattern)
    {
        var s = pattern;
        var depth = 0;
        var operand = false;
        var lastRepeat = -1;
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            switch (c)
            {
                case '(':
                    {
                        if (i + 1 < s.Length && s[i + 1] == '?')
                        {
                            var end = GroupPrefixEnd(s, i, out var opensGroup, out var error);
                            if (error is not null)
                            {
                                return Fail(error);
                            }

                            i = end;
                            if (!opensGroup)
                            {
                                continue; // a flags-only group such as (?i) changes nothing on the stack
                            }
                        }
                        else
                        {
                            i++;
                        }

                        depth++;
                        operand = false;
                        lastRepeat = -1;
                        continue;
                    }

                case ')':
                    if (depth == 0)
                    {
                        return Fail($"unexpected ): `{s}`");
                    }

                    depth--;
                    operand = true;
                    lastRepeat = -1;
                    i++;
                    continue;
                case '|':
                    operand = false;
                    lastRepeat = -1;
                    i++;
                    continue;
                case '*':
                case '+':
                case '?':
                    {
                        var start = i++;
                        if (i < s.Length && s[i] == '?')
                        {
                            i++;
                        }

                        if (Repeat(s, start, i, lastRepeat, operand) is { } error)
                        {
                            return Fail(error);
                        }

                        lastRepeat = start;
                        continue;
                    }

                case '{':
                    {
                        var end = RepeatCountEnd(s, i, out var min, out var max);
                        if (end < 0)
                        {
                            // Not a repeat count: a literal brace.
                            operand = true;
                            lastRepeat = -1;
                            i++;
                            continue;
                        }

                        var start = i;
                        i = end;
                        if (i < s.Length && s[i] == '?')
                        {
                            i++;
                        }

                        if (Repeat(s, start, i, lastRepeat, operand) is { } error)
                        {
                            return Fail(error);
                        }

                        if (min > MaxRepeat || max > MaxRepeat || (max >= 0 && max < min))
                        {
                            return Fail($"invalid repeat count: `{s[start..end]}`");
                        }

                        lastRepeat = start;
                        continue;
                    }

                case '[':
                    {
                        var end = ClassEnd(s, i, out var error);
                        if (error is not null)
                        {
                            return Fail(error);
                        }

                        i = end;
                        operand = true;
                        lastRepeat = -1;
                        continue;
                    }

                case '\\':
                    {
                        var end = EscapeEnd(s, i, inClass: false, out var error);
                        if (error is not null)
                        {
                            return Fail(error);
                        }

                        i = end;
                        operand = true;
                        lastRepeat = -1;
                        continue;
                    }

                default:
                    operand = true;
                    lastRepeat = -1;
                    i++;
                    continue;
            }
        }

        return depth > 0 ? Fail($"missing closing ): `{s}`") : null;
    }

    private static string Fail(string what) => "error parsing regexp: " + what;

    private static string? Repeat(string s, int start, int end, int lastRepeat, bool operand)
    {
        if (lastRepeat >= 0)
        {
            return $"invalid nested repetition operator: `{s[lastRepeat..end]}`";
        }

        return operand ? null : $"missing argument to repetition operator: `{s[start..end]}`";
    }

    /// <summary>After "(?": a named group, a non-capturing group with flags, or flags alone; anything else is unsupported.</summary>
    private static int GroupPrefixEnd(string s, int open, out bool opensGroup, out string? error)
    {
        opensGroup = true;
        error = null;
        var i = open + 2;
        var named = i < s.Length && s[i] == 'P' && i + 1 < s.Length && s[i + 1] == '<' ? i + 2
            : i < s.Length && s[i] == '<' && (i + 1 >= s.Length || s[i + 1] is not ('=' or '!')) ? i + 1 : -1;
        if (named >= 0)
        {
            var close = s.IndexOf('>', named);
            if (close < 0)
            {
                error = $"invalid named capture: `{s[open..]}`";
                return s.Length;
            }

            var name = s.AsSpan(named, close - named);
            var ok = name.Length > 0;
            foreach (var ch in name)
            {
                ok &= char.IsAsciiLetterOrDigit(ch) || ch == '_';
            }

            if (!ok)
            {
                error = $"invalid named capture: `{s[open..(close + 1)]}`";
            }

            return close + 1;
        }

        var sawFlag = false;
        var negated = false;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case 'i' or 'm' or 's' or 'U':
                    sawFlag = true;
                    continue;
                case '-' when !negated:
                    negated = true;
                    sawFlag = false;
                    continue;
                case ':' or ')':
                    if (negated && !sawFlag)
                    {
                        break; // "(?-)" and "(?i-:" are errors
                    }

                    opensGroup = c == ':';
                    return i + 1;
            }

            error = $"invalid or unsupported Perl syntax: `{s[open..(i + 1)]}`";
            return s.Length;
        }

        error = $"missing closing ): `{s}`";
        return s.Length;
    }

    /// <summary>The end of a well-formed {n}, {n,} or {n,m} at <paramref name="open"/>, or -1 when the brace is a literal.</summary>
    private static int RepeatCountEnd(string s, int open, out int min, out int max)
    {
        min = -1;
        max = -1;
        var i = open + 1;
        var first = ReadNumber(s, ref i);
        if (first < 0 || i >= s.Length)
        {
            return -1;
        }

        min = first;
        if (s[i] == '}')
        {
            max = first;
            return i + 1;
        }

        if (s[i] != ',')
        {
            return -1;
        }

        i++;
        if (i < s.Length && s[i] == '}')
        {
            return i + 1; // {n,}: no maximum
        }

        var second = ReadNumber(s, ref i);
        if (second < 0 || i >= s.Length || s[i] != '}')
        {
            return -1;
        }

        max = second;
        return i + 1;
    }

    private static int ReadNumber(string s, ref int i)
    {
        var start = i;
        var value = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            value = Math.Min((value * 10) + (s[i] - '0'), 1_000_000);
            i++;
        }

        // Go accepts no leading zeros except "0" itself.
        if (i == start || (i - start > 1 && s[start] == '0'))
        {
            return -1;
        }

        return value;
    }

    private static int ClassEnd(string s, int open, out string? error)
    {
        error = null;
        var i = open + 1;
        if (i < s.Length && s[i] == '^')
        {
            i++;
        }

        var first = true;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == ']' && !first)
            {
                return i + 1;
            }

            first = false;
            if (c == '[' && i + 1 < s.Length && s[i + 1] == ':')
            {
                var close = s.IndexOf(":]", i + 2, StringComparison.Ordinal);
                if (close >= 0)
                {
                    i = close + 2;
                    continue;
                }
            }

            int low;
            var start = i;
            if (c == '\\')
            {
                var end = EscapeEnd(s, i, inClass: true, out error);
                if (error is not null)
                {
                    return s.Length;
                }

                low = end - i == 2 && !char.IsAsciiLetter(s[i + 1]) ? s[i + 1] : -1;
                i = end;
            }
            else
            {
                low = c;
                i++;
            }

            // a-z: a range when '-' is followed by something other than the closing bracket.
            if (i + 1 < s.Length && s[i] == '-' && s[i + 1] != ']')
            {
                int high;
                var hiStart = i + 1;
                if (s[hiStart] == '\\')
                {
                    var end = EscapeEnd(s, hiStart, inClass: true, out error);
                    if (error is not null)
                    {
                        return s.Length;
                    }

                    high = end - hiStart == 2 && !char.IsAsciiLetter(s[hiStart + 1]) ? s[hiStart + 1] : -1;
                    i = end;
                }
                else
                {
                    high = s[hiStart];
                    i = hiStart + 1;
                }

                if (low >= 0 && high >= 0 && high < low)
                {
                    error = $"invalid character class range: `{s[start..i]}`";
                    return s.Length;
                }
            }

        }

        error = $"missing closing ]: `{s[open..]}`";
        return s.Length;
    }

    private static int EscapeEnd(string s, int at, bool inClass, out string? error)
    {
        error = null;
        if (at + 1 >= s.Length)
        {
            error = "trailing backslash at end of expression: ``";
            return s.Length;
        }

        var c = s[at + 1];
        switch (c)
        {
            case 'd' or 'D' or 's' or 'S' or 'w' or 'W' or 'a' or 'f' or 'n' or 'r' or 't' or 'v':
                return at + 2;
            case 'A' or 'b' or 'B' or 'z' when !inClass:
                return at + 2;
            case 'Q' when !inClass:
                {
                    var end = s.IndexOf("\\E", at + 2, StringComparison.Ordinal);
                    return end < 0 ? s.Length : end + 2;
                }

            case 'p' or 'P':
                if (at + 2 >= s.Length)
                {
                    break;
                }

                if (s[at + 2] != '{')
                {
                    return at + 3;
                }

                var close = s.IndexOf('}', at + 3);
                if (close < 0)
                {
                    break;
                }

                return close + 1;
            case 'x':
                {
                    if (at + 2 < s.Length && s[at + 2] == '{')
                    {
                        var closeBrace = s.IndexOf('}', at + 3);
                        if (closeBrace > at + 3 && AllHex(s.AsSpan(at + 3, closeBrace - at - 3)))
                        {
                            return closeBrace + 1;
                        }

                        break;
                    }

                    if (at + 3 < s.Length && AllHex(s.AsSpan(at + 2, 2)))
                    {
                        return at + 4;
                    }

                    break;
                }

            case >= '1' and <= '7':
                // A lone digit would be a backreference, which RE2 lacks; followed by an octal digit it is an octal escape.
                if (at + 2 < s.Length && s[at + 2] is >= '0' and <= '7')
                {
                    return OctalEnd(s, at + 1);
                }

                break;
            case '0':
                return OctalEnd(s, at + 1);
            default:
                if (c < 0x80 && !char.IsAsciiLetterOrDigit(c))
                {
                    return at + 2; // escaped punctuation
                }

                break;
        }

        error = $"invalid escape sequence: `{s[at..Math.Min(s.Length, at + 2)]}`";
        return s.Length;
    }

    private static int OctalEnd(string s, int first)
    {
        var i = first;
        while (i < s.Length && i - first < 3 && s[i] is >= '0' and <= '7')
        {
            i++;
        }

        return i;
    }

    private static bool AllHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
