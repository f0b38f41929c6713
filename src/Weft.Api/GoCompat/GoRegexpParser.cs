namespace Weft.Api.GoCompat;

/// <summary>
/// Go's regexp/syntax parser, reduced to what decides acceptance: a stack of parsed items (leaves, repeats, groups,
/// and the '(' and '|' markers) so that repeats and their nesting are checked as Go checks them.
/// </summary>
internal sealed class GoRegexpParser(string s)
{
    private const int MaxRepeat = 1000;

    private enum Kind
    {
        Leaf,
        Repeat,
        Group,
        LeftParen,
        VerticalBar,
    }

    private sealed class Item(Kind kind, int min = 0, int max = 0, List<Item>? subs = null)
    {
        public static readonly Item Leaf = new(Kind.Leaf);
        public static readonly Item LeftParen = new(Kind.LeftParen);
        public static readonly Item VerticalBar = new(Kind.VerticalBar);

        public Kind Kind { get; } = kind;

        public int Min { get; } = min;

        public int Max { get; } = max;

        public List<Item>? Subs { get; } = subs;

        public bool IsPseudo => Kind is Kind.LeftParen or Kind.VerticalBar;
    }

    private sealed class SyntaxError(string code, string expr) : Exception("error parsing regexp: " + code + ": `" + expr + "`");

    private readonly List<Item> _stack = [];
    private int _pos;

    public string? Parse()
    {
        try
        {
            Run();
            return null;
        }
        catch (SyntaxError e)
        {
            return e.Message;
        }
    }

    private static SyntaxError Fail(string code, string expr) => new(code, expr);

    private void Run()
    {
        var lastRepeat = -1;
        while (_pos < s.Length)
        {
            var repeatAt = -1;
            switch (s[_pos])
            {
                case '(':
                    if (_pos + 1 < s.Length && s[_pos + 1] == '?')
                    {
                        _pos = ParsePerlFlags(_pos);
                    }
                    else
                    {
                        _stack.Add(Item.LeftParen);
                        _pos++;
                    }

                    break;
                case '|':
                    _stack.Add(Item.VerticalBar);
                    _pos++;
                    break;
                case ')':
                    ParseRightParen();
                    _pos++;
                    break;
                case '^' or '$' or '.':
                    _stack.Add(Item.Leaf);
                    _pos++;
                    break;
                case '[':
                    _pos = ParseClass(_pos);
                    _stack.Add(Item.Leaf);
                    break;
                case '*' or '+' or '?':
                {
                    var before = _pos;
                    _pos = Repeat(counted: false, 0, 0, before, before + 1, lastRepeat);
                    repeatAt = before;
                    break;
                }

                case '{':
                {
                    var before = _pos;
                    if (!TryParseRepeat(before, out var min, out var max, out var after))
                    {
                        _stack.Add(Item.Leaf);
                        _pos++;
                        break;
                    }

                    if (min < 0 || min > MaxRepeat || max > MaxRepeat || (max >= 0 && min > max))
                    {
                        throw Fail("invalid repeat count", s[before..after]);
                    }

                    _pos = Repeat(counted: true, min, max, before, after, lastRepeat);
                    repeatAt = before;
                    break;
                }

                case '\\':
                    ParseTopLevelEscape();
                    break;
                default:
                    ReadRune(ref _pos);
                    _stack.Add(Item.Leaf);
                    break;
            }

            lastRepeat = repeatAt;
        }

        foreach (var item in _stack)
        {
            if (item.Kind == Kind.LeftParen)
            {
                throw Fail("missing closing )", s);
            }
        }
    }

    private void ParseTopLevelEscape()
    {
        if (_pos + 1 < s.Length)
        {
            switch (s[_pos + 1])
            {
                case 'A' or 'b' or 'B' or 'z':
                    _stack.Add(Item.Leaf);
                    _pos += 2;
                    return;
                case 'C':
                    throw Fail("invalid escape sequence", s.Substring(_pos, 2));
                case 'Q':
                {
                    var end = s.IndexOf("\\E", _pos + 2, StringComparison.Ordinal);
                    var literalLength = end < 0 ? s.Length - _pos - 2 : end - _pos - 2;
                    _pos = end < 0 ? s.Length : end + 2;
                    if (literalLength > 0)
                    {
                        _stack.Add(Item.Leaf);
                    }

                    return;
                }
            }

            if (s[_pos + 1] is 'p' or 'P')
            {
                _pos = ParseUnicodeClass(_pos);
                _stack.Add(Item.Leaf);
                return;
            }

            if (IsPerlClass(s[_pos + 1]))
            {
                _pos += 2;
                _stack.Add(Item.Leaf);
                return;
            }
        }

        _pos = ParseEscape(_pos, out _);
        _stack.Add(Item.Leaf);
    }

    private static bool IsPerlClass(char c) => c is 'd' or 'D' or 's' or 'S' or 'w' or 'W';

    private int Repeat(bool counted, int min, int max, int before, int after, int lastRepeat)
    {
        if (after < s.Length && s[after] == '?')
        {
            after++;
        }

        if (lastRepeat >= 0)
        {
            throw Fail("invalid nested repetition operator", s[lastRepeat..after]);
        }

        if (_stack.Count == 0 || _stack[^1].IsPseudo)
        {
            throw Fail("missing argument to repetition operator", s[before..after]);
        }

        if (counted)
        {
            var repeat = new Item(Kind.Repeat, min, max, [_stack[^1]]);
            _stack[^1] = repeat;
            if ((min >= 2 || max >= 2) && !RepeatIsValid(repeat, MaxRepeat))
            {
                throw Fail("invalid repeat count", s[before..after]);
            }
        }

        return after;
    }

    private static bool RepeatIsValid(Item item, int n)
    {
        if (item.Kind == Kind.Repeat)
        {
            var m = item.Max;
            if (m == 0)
            {
                return true;
            }

            if (m < 0)
            {
                m = item.Min;
            }

            if (m > n)
            {
                return false;
            }

            if (m > 0)
            {
                n /= m;
            }
        }

        if (item.Subs is { } subs)
        {
            foreach (var sub in subs)
            {
                if (!RepeatIsValid(sub, n))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private void ParseRightParen()
    {
        var open = _stack.Count - 1;
        while (open >= 0 && _stack[open].Kind != Kind.LeftParen)
        {
            open--;
        }

        if (open < 0)
        {
            throw Fail("unexpected )", s);
        }

        List<Item>? subs = null;
        for (var i = open + 1; i < _stack.Count; i++)
        {
            var item = _stack[i];
            if (item.Kind is Kind.Repeat or Kind.Group)
            {
                (subs ??= []).Add(item);
            }
        }

        _stack.RemoveRange(open, _stack.Count - open);
        _stack.Add(subs is null ? Item.Leaf : new Item(Kind.Group, subs: subs));
    }

    // {min}, {min,} or {min,max}; false when the text is not of that form ('{' is then a literal).
    private bool TryParseRepeat(int start, out int min, out int max, out int after)
    {
        min = max = 0;
        after = start;
        var i = start + 1;
        if (!TryParseInt(ref i, out min) || i >= s.Length)
        {
            return false;
        }

        if (s[i] != ',')
        {
            max = min;
        }
        else
        {
            i++;
            if (i >= s.Length)
            {
                return false;
            }

            if (s[i] == '}')
            {
                max = -1;
            }
            else if (!TryParseInt(ref i, out max))
            {
                return false;
            }
            else if (max < 0)
            {
                min = -1;
            }
        }

        if (i >= s.Length || s[i] != '}')
        {
            return false;
        }

        after = i + 1;
        return true;
    }

    // Decimal digits without leading zeros; a value too big for Go's parser becomes -1.
    private bool TryParseInt(ref int i, out int value)
    {
        value = 0;
        if (i >= s.Length || !char.IsAsciiDigit(s[i]))
        {
            return false;
        }

        if (i + 1 < s.Length && s[i] == '0' && char.IsAsciiDigit(s[i + 1]))
        {
            return false;
        }

        var start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        for (var k = start; k < i; k++)
        {
            if (value >= 100_000_000)
            {
                value = -1;
                break;
            }

            value = (value * 10) + (s[k] - '0');
        }

        return true;
    }

    private int ParsePerlFlags(int start)
    {
        var remaining = s.Length - start;
        var startsWithP = remaining > 4 && s[start + 2] == 'P' && s[start + 3] == '<';
        var startsWithName = remaining > 3 && s[start + 2] == '<';
        if (startsWithP || startsWithName)
        {
            var exprStart = startsWithName ? 3 : 4;
            var end = s.IndexOf('>', start);
            if (end < 0)
            {
                throw Fail("invalid named capture", s[start..]);
            }

            var name = s.AsSpan((start + exprStart)..end);
            if (!IsValidCaptureName(name))
            {
                throw Fail("invalid named capture", s[start..(end + 1)]);
            }

            _stack.Add(Item.LeftParen);
            return end + 1;
        }

        var t = start + 2;
        var negated = false;
        var sawFlag = false;
        while (t < s.Length)
        {
            var c = ReadRune(ref t);
            switch (c)
            {
                case 'i' or 'm' or 's' or 'U':
                    sawFlag = true;
                    continue;
                case '-':
                    if (negated)
                    {
                        break;
                    }

                    negated = true;
                    sawFlag = false;
                    continue;
                case ':' or ')':
                    if (negated && !sawFlag)
                    {
                        break;
                    }

                    if (c == ':')
                    {
                        _stack.Add(Item.LeftParen);
                    }

                    return t;
            }

            break;
        }

        throw Fail("invalid or unsupported Perl syntax", s[start..t]);
    }

    private static bool IsValidCaptureName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c != '_' && !char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private int ParseClass(int start)
    {
        var t = start + 1;
        if (t < s.Length && s[t] == '^')
        {
            t++;
        }

        var first = true;
        while (t >= s.Length || s[t] != ']' || first)
        {
            first = false;
            if (s.Length - t > 2 && s[t] == '[' && s[t + 1] == ':')
            {
                var close = s.IndexOf(":]", t + 2, StringComparison.Ordinal);
                if (close >= 0)
                {
                    var name = s[t..(close + 2)];
                    if (!GoRegexpClassNames.IsPosixClass(name))
                    {
                        throw Fail("invalid character class range", name);
                    }

                    t = close + 2;
                    continue;
                }
            }

            if (s.Length - t >= 2 && s[t] == '\\' && s[t + 1] is 'p' or 'P')
            {
                t = ParseUnicodeClass(t);
                continue;
            }

            if (s.Length - t >= 2 && s[t] == '\\' && IsPerlClass(s[t + 1]))
            {
                t += 2;
                continue;
            }

            var rangeStart = t;
            t = ParseClassChar(t, start, out var lo);
            if (s.Length - t >= 2 && s[t] == '-' && s[t + 1] != ']')
            {
                t++;
                t = ParseClassChar(t, start, out var hi);
                if (hi < lo)
                {
                    throw Fail("invalid character class range", s[rangeStart..t]);
                }
            }
        }

        return t + 1;
    }

    private int ParseClassChar(int t, int classStart, out int rune)
    {
        if (t >= s.Length)
        {
            throw Fail("missing closing ]", s[classStart..]);
        }

        if (s[t] == '\\')
        {
            return ParseEscape(t, out rune);
        }

        rune = ReadRune(ref t);
        return t;
    }

    private int ParseUnicodeClass(int start)
    {
        var t = start + 2;
        string name;
        string seq;
        if (t >= s.Length)
        {
            name = string.Empty;
            seq = s[start..t];
        }
        else if (s[t] != '{')
        {
            ReadRune(ref t);
            seq = s[start..t];
            name = s[(start + 2)..t];
        }
        else
        {
            var end = s.IndexOf('}', start);
            if (end < 0)
            {
                throw Fail("invalid character class range", s[start..]);
            }

            seq = s[start..(end + 1)];
            name = s[(start + 3)..end];
            t = end + 1;
        }

        if (name.Length > 0 && name[0] == '^')
        {
            name = name[1..];
        }

        if (!GoRegexpClassNames.IsKnown(name))
        {
            throw Fail("invalid character class range", seq);
        }

        return t;
    }

    private int ParseEscape(int start, out int rune)
    {
        rune = 0;
        var t = start + 1;
        if (t >= s.Length)
        {
            throw Fail("trailing backslash at end of expression", string.Empty);
        }

        var c = ReadRune(ref t);
        switch (c)
        {
            case >= '1' and <= '7' when t >= s.Length || s[t] is < '0' or > '7':
                break;
            case >= '0' and <= '7':
                rune = c - '0';
                for (var i = 1; i < 3 && t < s.Length && s[t] is >= '0' and <= '7'; i++)
                {
                    rune = (rune * 8) + (s[t] - '0');
                    t++;
                }

                return t;
            case 'x':
            {
                if (t >= s.Length)
                {
                    break;
                }

                c = ReadRune(ref t);
                if (c == '{')
                {
                    var digits = 0;
                    var value = 0;
                    while (true)
                    {
                        if (t >= s.Length)
                        {
                            throw Fail("invalid escape sequence", s[start..t]);
                        }

                        c = ReadRune(ref t);
                        if (c == '}')
                        {
                            break;
                        }

                        var v = Unhex(c);
                        if (v < 0)
                        {
                            throw Fail("invalid escape sequence", s[start..t]);
                        }

                        value = (value * 16) + v;
                        if (value > 0x10FFFF)
                        {
                            throw Fail("invalid escape sequence", s[start..t]);
                        }

                        digits++;
                    }

                    if (digits == 0)
                    {
                        break;
                    }

                    rune = value;
                    return t;
                }

                var x = Unhex(c);
                var y = t < s.Length ? Unhex(ReadRune(ref t)) : -1;
                if (x < 0 || y < 0)
                {
                    break;
                }

                rune = (x * 16) + y;
                return t;
            }

            case 'a': rune = 7; return t;
            case 'f': rune = 12; return t;
            case 'n': rune = 10; return t;
            case 'r': rune = 13; return t;
            case 't': rune = 9; return t;
            case 'v': rune = 11; return t;
            default:
                if (c < 0x80 && !char.IsAsciiLetterOrDigit((char)c))
                {
                    rune = c;
                    return t;
                }

                break;
        }

        throw Fail("invalid escape sequence", s[start..t]);
    }

    private static int Unhex(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private int ReadRune(ref int i)
    {
        var c = s[i];
        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        {
            var cp = char.ConvertToUtf32(c, s[i + 1]);
            i += 2;
            return cp;
        }

        i++;
        return char.IsSurrogate(c) ? 0xFFFD : c;
    }
}
