using System.Globalization;
using System.Text;

namespace Weft.Api.Schema.Cel;

/// <summary>
/// Translates RE2 syntax (Go's regexp with Perl flags, as cel-go's matches() compiles it) into an equivalent
/// .NET pattern. Whether Go accepts a pattern is <see cref="GoCompat.GoRegexpSyntax"/>'s to say, before this runs;
/// what this still rejects is what it cannot render faithfully (or, defensively, what it cannot read).
/// The differences handled: RE2's ^ and $ anchor the whole text unless (?m), $ never matches before a final
/// newline, \d \w \s \b are ASCII-only, '.' and classes match whole code points, (?U) swaps greediness,
/// and POSIX classes, \Q..\E, \pN and octal escapes exist. Only (?i) is passed through to .NET.
/// </summary>
internal sealed class Re2Translator
{
    private const int MaxRepeat = 1000;
    private const string AnyPair = @"[\uD800-\uDBFF][\uDC00-\uDFFF]";
    private const string WordClass = "[0-9A-Za-z_]";

    private static readonly (int, int)[] Digits = [('0', '9')];
    private static readonly (int, int)[] Word = [('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
    private static readonly (int, int)[] Space = [('\t', '\n'), ('\f', '\r'), (' ', ' ')];

    private readonly string _src;
    private readonly StringBuilder _out = new();
    private readonly Stack<(Flags Outer, int Start)> _groups = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _pos;
    private Flags _flags;
    private bool _backtracking;

    // Where the last quantifiable item starts in _out; -1 when a repetition operator has nothing to repeat.
    private int _atomStart = -1;
    private bool _atomIsSingle;
    private bool _afterRepeat;

    private Re2Translator(string pattern) => _src = pattern;

    private readonly record struct Flags(bool IgnoreCase, bool MultiLine, bool DotAll, bool Ungreedy);

    public static Re2Translation Translate(string pattern)
    {
        var t = new Re2Translator(pattern);
        t.Run();
        return new Re2Translation(t._out.ToString(), t._backtracking);
    }

    private void Run()
    {
        while (_pos < _src.Length)
        {
            var c = _src[_pos];
            switch (c)
            {
                case '(':
                    OpenGroup();
                    break;
                case ')':
                    CloseGroup();
                    break;
                case '|':
                    _pos++;
                    _out.Append('|');
                    NoAtom();
                    break;
                case '*' or '+' or '?':
                    _pos++;
                    Repeat(c.ToString());
                    break;
                case '{' when TryRepeatCount(out var count):
                    Repeat(count);
                    break;
                case '^':
                    _pos++;
                    Atom(_flags.MultiLine ? "(?m:^)" : @"\A", single: false);
                    break;
                case '$':
                    _pos++;
                    Atom(_flags.MultiLine ? "(?m:$)" : @"\z", single: false);
                    break;
                case '.':
                    _pos++;
                    Atom("(?:" + AnyPair + "|" + (_flags.DotAll ? @"[\s\S]" : @"[^\n]") + ")", single: true);
                    break;
                case '[':
                    Atom(CharClass(), single: true);
                    break;
                case '\\':
                    Escape();
                    break;
                default:
                    Atom(Literal(NextCodePoint()), single: true);
                    break;
            }
        }

        if (_groups.Count > 0)
        {
            throw new Re2SyntaxException("missing closing )");
        }
    }

    private void Atom(string text, bool single)
    {
        _atomStart = _out.Length;
        _atomIsSingle = single;
        _afterRepeat = false;
        _out.Append(text);
    }

    private void NoAtom()
    {
        _atomStart = -1;
        _afterRepeat = false;
    }

    private void Repeat(string op)
    {
        if (_afterRepeat)
        {
            throw new Re2SyntaxException($"invalid nested repetition operator: {op}");
        }

        if (_atomStart < 0)
        {
            throw new Re2SyntaxException($"missing argument to repetition operator: {op}");
        }

        var lazy = false;
        if (_pos < _src.Length && _src[_pos] == '?')
        {
            _pos++;
            lazy = true;
        }

        if (!_atomIsSingle)
        {
            _out.Insert(_atomStart, "(?:").Append(')');
        }

        _out.Append(op);
        if (lazy != _flags.Ungreedy)
        {
            _out.Append('?');
        }

        _afterRepeat = true;
    }

    /// <summary>{n}, {n,} or {n,m}; anything else leaves '{' to be read as a literal, as RE2 does.</summary>
    private bool TryRepeatCount(out string text)
    {
        text = string.Empty;
        var i = _pos + 1;
        var min = ReadNumber(ref i);
        if (min is null)
        {
            return false;
        }

        int? max = min;
        if (i < _src.Length && _src[i] == ',')
        {
            i++;
            max = i < _src.Length && _src[i] == '}' ? -1 : ReadNumber(ref i);
            if (max is null)
            {
                return false;
            }
        }

        if (i >= _src.Length || _src[i] != '}')
        {
            return false;
        }

        var op = _src[_pos..(i + 1)];
        if (min > MaxRepeat || max > MaxRepeat || (max >= 0 && max < min))
        {
            throw new Re2SyntaxException($"invalid repeat count: {op}");
        }

        _pos = i + 1;
        text = max == -1 ? $"{{{min},}}" : max == min ? $"{{{min}}}" : $"{{{min},{max}}}";
        return true;
    }

    private int? ReadNumber(ref int i)
    {
        var start = i;
        while (i < _src.Length && char.IsAsciiDigit(_src[i]))
        {
            i++;
        }

        // Go reads "{01}" as literal text: a count has no leading zero.
        if (i == start || (i - start > 1 && _src[start] == '0'))
        {
            return null;
        }

        // Anything this long is over the limit anyway; RE2 reports it rather than reading a literal '{'.
        return i - start > 8 ? int.MaxValue : int.Parse(_src.AsSpan(start, i - start), CultureInfo.InvariantCulture);
    }

    private void OpenGroup()
    {
        _pos++;
        if (!Peek('?'))
        {
            PushGroup("(");
            return;
        }

        _pos++;
        if (Peek('P') && _pos + 1 < _src.Length && _src[_pos + 1] == '<')
        {
            _pos += 2;
            PushGroup("(?<" + GroupName() + ">");
            return;
        }

        if (Peek('<'))
        {
            _pos++;
            PushGroup("(?<" + GroupName() + ">");
            return;
        }

        // Go's Perl flags: letters from i m s U, at most one '-', and at least one letter after a '-'.
        var flags = _flags;
        var negative = false;
        var sawFlag = false;
        var ignoreCaseChanged = false;
        while (_pos < _src.Length)
        {
            var c = _src[_pos++];
            switch (c)
            {
                case 'i':
                    flags = flags with { IgnoreCase = !negative };
                    ignoreCaseChanged = true;
                    sawFlag = true;
                    break;
                case 'm':
                    flags = flags with { MultiLine = !negative };
                    sawFlag = true;
                    break;
                case 's':
                    flags = flags with { DotAll = !negative };
                    sawFlag = true;
                    break;
                case 'U':
                    flags = flags with { Ungreedy = !negative };
                    sawFlag = true;
                    break;
                case '-' when !negative:
                    negative = true;
                    sawFlag = false;
                    break;
                case ':' or ')' when !negative || sawFlag:
                    var inline = ignoreCaseChanged ? (flags.IgnoreCase ? "(?i" : "(?-i") : null;
                    if (c == ':')
                    {
                        PushGroup((inline ?? "(?") + ":", flags);
                        return;
                    }

                    // A bare (?flags) lasts to the end of the enclosing group, in .NET as in RE2.
                    _flags = flags;
                    if (inline is not null)
                    {
                        _out.Append(inline).Append(')');
                    }

                    NoAtom();
                    return;
                default:
                    throw new Re2SyntaxException("invalid or unsupported Perl syntax: (?" + c);
            }
        }

        throw new Re2SyntaxException("missing closing )");
    }

    private string GroupName()
    {
        var end = _src.IndexOf('>', _pos);
        if (end < 0)
        {
            throw new Re2SyntaxException("invalid named capture");
        }

        var name = _src[_pos..end];
        if (name.Length == 0 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
        {
            throw new Re2SyntaxException($"invalid named capture: {name}");
        }

        // .NET numbers named groups after unnamed ones and would accept a name starting with a digit as a number.
        if (char.IsAsciiDigit(name[0]) || !_names.Add(name))
        {
            throw new Re2SyntaxException(char.IsAsciiDigit(name[0]) ? $"unsupported group name: {name}" : $"duplicate capture group name: {name}");
        }

        _pos = end + 1;
        return name;
    }

    private void PushGroup(string open, Flags? inner = null)
    {
        _groups.Push((_flags, _out.Length));
        _flags = inner ?? _flags;
        _out.Append(open);
        NoAtom();
    }

    private void CloseGroup()
    {
        _pos++;
        if (_groups.Count == 0)
        {
            throw new Re2SyntaxException("unexpected )");
        }

        (_flags, var start) = _groups.Pop();
        _out.Append(')');
        _atomStart = start;
        _atomIsSingle = true;
        _afterRepeat = false;
    }

    private bool Peek(char c) => _pos < _src.Length && _src[_pos] == c;

    private int NextCodePoint()
    {
        System.Text.Rune.DecodeFromUtf16(_src.AsSpan(_pos), out var rune, out var width);
        _pos += width;
        return rune.Value;
    }

    private static string Literal(int codePoint)
    {
        if (codePoint > 0xFFFF)
        {
            var s = char.ConvertFromUtf32(codePoint);
            return "(?:" + Re2CharSet.Unit(s[0]) + Re2CharSet.Unit(s[1]) + ")";
        }

        if (char.IsAsciiLetterOrDigit((char)codePoint))
        {
            return ((char)codePoint).ToString();
        }

        return Re2CharSet.Unit(codePoint);
    }

    private void Escape()
    {
        var at = _pos;
        _pos++;
        if (_pos >= _src.Length)
        {
            throw new Re2SyntaxException("trailing backslash at end of expression");
        }

        var c = _src[_pos];
        switch (c)
        {
            case 'A':
                _pos++;
                Atom(@"\A", single: false);
                return;
            case 'z':
                _pos++;
                Atom(@"\z", single: false);
                return;
            case 'b' or 'B':
                _pos++;
                _backtracking = true;
                Atom(c == 'b'
                    ? $"(?:(?<={WordClass})(?!{WordClass})|(?<!{WordClass})(?={WordClass}))"
                    : $"(?:(?<={WordClass})(?={WordClass})|(?<!{WordClass})(?!{WordClass}))", single: false);
                return;
            case 'Q':
                _pos++;
                var end = _src.IndexOf(@"\E", _pos, StringComparison.Ordinal);
                var quoted = end < 0 ? _src[_pos..] : _src[_pos..end];
                _pos = end < 0 ? _src.Length : end + 2;
                foreach (var rune in quoted.EnumerateRunes())
                {
                    Atom(Literal(rune.Value), single: true);
                }

                return;
            case 'C':
                throw new Re2SyntaxException(@"\C (any byte) is not supported");
        }

        _pos = at;
        var set = new Re2CharSet();
        if (TryClassEscape(set, out var negated))
        {
            Atom(set.Render(negated), single: true);
            return;
        }

        Atom(Literal(EscapedCharacter()), single: true);
    }

    /// <summary>Reads \d \D \s \S \w \W \pX \p{Name} \PX \P{Name} at _pos into <paramref name="set"/>.</summary>
    private bool TryClassEscape(Re2CharSet set, out bool negated)
    {
        negated = false;
        if (_pos + 1 >= _src.Length || _src[_pos] != '\\')
        {
            return false;
        }

        var c = _src[_pos + 1];
        (int, int)[]? perl = char.ToLowerInvariant(c) switch
        {
            'd' => Digits,
            'w' => Word,
            's' => Space,
            _ => null,
        };
        if (perl is not null)
        {
            _pos += 2;
            negated = char.IsUpper(c);
            set.AddAll(perl.Select(r => (r.Item1, r.Item2)));
            return true;
        }

        if (c is not ('p' or 'P'))
        {
            return false;
        }

        _pos += 2;
        negated = c == 'P';
        string name;
        if (Peek('{'))
        {
            var end = _src.IndexOf('}', _pos);
            if (end < 0)
            {
                throw new Re2SyntaxException("invalid character class range: missing }");
            }

            name = _src[(_pos + 1)..end];
            _pos = end + 1;
        }
        else if (_pos < _src.Length)
        {
            name = _src[_pos++].ToString();
        }
        else
        {
            throw new Re2SyntaxException("invalid character class range");
        }

        if (name.StartsWith('^'))
        {
            negated = !negated;
            name = name[1..];
        }

        if (name == "Any")
        {
            set.Add(0, 0x10FFFF);
        }
        else if (IsGeneralCategory(name))
        {
            set.AddCategory(@"\p{" + name + "}");
        }
        else
        {
            throw new Re2SyntaxException($"unsupported Unicode class: \\p{{{name}}} (only general categories are supported)");
        }

        return true;
    }

    private static bool IsGeneralCategory(string name) => name is
        "L" or "Lu" or "Ll" or "Lt" or "Lm" or "Lo" or "M" or "Mn" or "Mc" or "Me" or "N" or "Nd" or "Nl" or "No"
        or "P" or "Pc" or "Pd" or "Ps" or "Pe" or "Pi" or "Pf" or "Po" or "S" or "Sm" or "Sc" or "Sk" or "So"
        or "Z" or "Zs" or "Zl" or "Zp" or "C" or "Cc" or "Cf" or "Cs" or "Co";

    /// <summary>A single-character escape at _pos: \a \f \t \n \r \v, octal, \x, or escaped punctuation.</summary>
    private int EscapedCharacter()
    {
        _pos++;
        var c = _src[_pos++];
        switch (c)
        {
            case 'a': return 7;
            case 'f': return '\f';
            case 't': return '\t';
            case 'n': return '\n';
            case 'r': return '\r';
            case 'v': return '\v';
            case >= '1' and <= '7' when !(_pos < _src.Length && _src[_pos] is >= '0' and <= '7'):
                throw new Re2SyntaxException($"invalid escape sequence: \\{c} (backreferences are not supported)");
            case >= '0' and <= '7':
                var value = c - '0';
                for (var n = 0; n < 2 && _pos < _src.Length && _src[_pos] is >= '0' and <= '7'; n++)
                {
                    value = (value * 8) + (_src[_pos++] - '0');
                }

                return value;
            case 'x':
                return HexEscape();
        }

        if (c < 0x80 && !char.IsAsciiLetterOrDigit(c))
        {
            return c;
        }

        throw new Re2SyntaxException($"invalid escape sequence: \\{c}");
    }

    private int HexEscape()
    {
        string digits;
        if (Peek('{'))
        {
            var end = _src.IndexOf('}', _pos);
            if (end < 0)
            {
                throw new Re2SyntaxException("invalid escape sequence: \\x{");
            }

            digits = _src[(_pos + 1)..end];
            _pos = end + 1;
        }
        else
        {
            if (_pos + 2 > _src.Length)
            {
                throw new Re2SyntaxException("invalid escape sequence: \\x");
            }

            digits = _src.Substring(_pos, 2);
            _pos += 2;
        }

        if (digits.Length == 0 || digits.Length > 8 || !digits.All(char.IsAsciiHexDigit)
            || !int.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            || value is < 0 or > 0x10FFFF)
        {
            throw new Re2SyntaxException($"invalid escape sequence: \\x{digits}");
        }

        return value;
    }

    private string CharClass()
    {
        _pos++;
        var negated = Peek('^');
        if (negated)
        {
            _pos++;
        }

        var set = new Re2CharSet();
        var first = true;
        while (true)
        {
            if (_pos >= _src.Length)
            {
                throw new Re2SyntaxException("missing closing ]");
            }

            if (_src[_pos] == ']' && !first)
            {
                _pos++;
                break;
            }

            first = false;
            if (TryPosixClass(set))
            {
                continue;
            }

            var inner = new Re2CharSet();
            if (TryClassEscape(inner, out var innerNegated))
            {
                set.Absorb(inner, innerNegated);
                continue;
            }

            var lo = ClassCharacter();
            var hi = lo;
            if (_pos + 1 < _src.Length && _src[_pos] == '-' && _src[_pos + 1] != ']')
            {
                _pos++;
                hi = ClassCharacter();
                if (hi < lo)
                {
                    throw new Re2SyntaxException("invalid character class range");
                }
            }

            set.Add(lo, hi);
        }

        return set.Render(negated);
    }

    private bool TryPosixClass(Re2CharSet set)
    {
        if (!(_src[_pos] == '[' && _pos + 1 < _src.Length && _src[_pos + 1] == ':'))
        {
            return false;
        }

        var end = _src.IndexOf(":]", _pos + 2, StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var name = _src[(_pos + 2)..end];
        var negated = name.StartsWith('^');
        if (negated)
        {
            name = name[1..];
        }

        (int, int)[] ranges = name switch
        {
            "alnum" => [('0', '9'), ('A', 'Z'), ('a', 'z')],
            "alpha" => [('A', 'Z'), ('a', 'z')],
            "ascii" => [(0, 0x7F)],
            "blank" => [('\t', '\t'), (' ', ' ')],
            "cntrl" => [(0, 0x1F), (0x7F, 0x7F)],
            "digit" => [('0', '9')],
            "graph" => [('!', '~')],
            "lower" => [('a', 'z')],
            "print" => [(' ', '~')],
            "punct" => [('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
            "space" => [('\t', '\r'), (' ', ' ')],
            "upper" => [('A', 'Z')],
            "word" => [('0', '9'), ('A', 'Z'), ('a', 'z'), ('_', '_')],
            "xdigit" => [('0', '9'), ('A', 'F'), ('a', 'f')],
            _ => throw new Re2SyntaxException($"invalid character class range: [:{name}:]"),
        };
        set.AddAll(negated ? Re2CharSet.Complement(ranges.Select(r => (r.Item1, r.Item2))) : ranges.Select(r => (r.Item1, r.Item2)));
        _pos = end + 2;
        return true;
    }

    private int ClassCharacter()
    {
        if (_src[_pos] != '\\')
        {
            return NextCodePoint();
        }

        if (_pos + 1 < _src.Length && _src[_pos + 1] == 'b')
        {
            throw new Re2SyntaxException(@"invalid escape sequence: \b inside a class");
        }

        return EscapedCharacter();
    }
}
