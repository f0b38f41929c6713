using System.Globalization;

namespace Weft.Api.Validation.Security;

/// <summary>
/// A CEL syntax check (no type checking), matching what cel-go's <c>Env.Parse</c> accepts with the standard
/// environment: the CEL grammar, its literals and escapes, reserved identifiers, the standard macros' argument
/// shapes (<c>has</c>, <c>all</c>, <c>exists</c>, <c>exists_one</c>, <c>map</c>, <c>filter</c>), backquoted field
/// names, and the size and nesting limits. Optional syntax (<c>.?</c>, <c>[?</c>, <c>?field</c>) is not enabled there,
/// so it is an error here too. Istio parses Telemetry access-log filters this way.
/// </summary>
internal static class CelSyntax
{
    private const int MaxCodePoints = 100_000;
    private const int MaxDepth = 250;

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "as", "break", "const", "continue", "else", "false", "for", "function", "if", "import", "in", "let", "loop",
        "package", "namespace", "null", "return", "true", "var", "void", "while",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> ReservedSpans = Reserved.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Null when <paramref name="expression"/> parses, else a message with the 1-based column.</summary>
    public static string? Check(string expression)
    {
        var codePoints = 0;
        foreach (var c in expression)
        {
            if (!char.IsLowSurrogate(c))
            {
                codePoints++;
            }
        }

        if (codePoints > MaxCodePoints)
        {
            return $"expression code point size exceeds limit: size: {codePoints}, limit {MaxCodePoints}";
        }

        try
        {
            var tokens = Lexer.Tokenize(expression);
            var parser = new Parser(expression, tokens);
            parser.ParseStart();
            return null;
        }
        catch (CelSyntaxException e)
        {
            return $"Syntax error: {e.Message} (at column {e.Column + 1})";
        }
    }

    private sealed class CelSyntaxException(string message, int column) : Exception(message)
    {
        public int Column { get; } = column;
    }

    private enum T
    {
        Eof,
        Ident,
        EscIdent,
        Int,
        Uint,
        Double,
        String,
        Bytes,
        True,
        False,
        Null,
        In,
        EqEq,
        NotEq,
        Lt,
        Le,
        Ge,
        Gt,
        AndAnd,
        OrOr,
        LBracket,
        RBracket,
        LBrace,
        RBrace,
        LParen,
        RParen,
        Dot,
        Comma,
        Minus,
        Bang,
        Question,
        Colon,
        Plus,
        Star,
        Slash,
        Percent,
    }

    private readonly record struct Token(T Kind, int Pos, int Length);

    private static class Lexer
    {
        public static List<Token> Tokenize(string s)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (true)
            {
                while (i < s.Length)
                {
                    if (s[i] is ' ' or '\t' or '\r' or '\n' or '\f')
                    {
                        i++;
                    }
                    else if (s[i] == '/' && i + 1 < s.Length && s[i + 1] == '/')
                    {
                        while (i < s.Length && s[i] != '\n')
                        {
                            i++;
                        }
                    }
                    else
                    {
                        break;
                    }
                }

                if (i >= s.Length)
                {
                    tokens.Add(new Token(T.Eof, i, 0));
                    return tokens;
                }

                var start = i;
                var c = s[i];
                if (char.IsAsciiLetter(c) || c == '_')
                {
                    // A string or bytes literal may start with r/R, b/B, or both (b then r).
                    var prefixEnd = i;
                    if (c is 'b' or 'B')
                    {
                        prefixEnd++;
                        if (prefixEnd < s.Length && s[prefixEnd] is 'r' or 'R')
                        {
                            prefixEnd++;
                        }
                    }
                    else if (c is 'r' or 'R')
                    {
                        prefixEnd++;
                    }

                    if (prefixEnd > i && prefixEnd < s.Length && s[prefixEnd] is '"' or '\'')
                    {
                        var isBytes = c is 'b' or 'B';
                        var isRaw = prefixEnd - i == 2 || c is 'r' or 'R';
                        i = prefixEnd;
                        var text = LexString(s, ref i, isRaw, start);
                        Unescape(text, isRaw, isBytes, start);
                        tokens.Add(new Token(isBytes ? T.Bytes : T.String, start, i - start));
                        continue;
                    }

                    while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_'))
                    {
                        i++;
                    }

                    var word = s.AsSpan(start, i - start);
                    var kind = word switch
                    {
                        "true" => T.True,
                        "false" => T.False,
                        "null" => T.Null,
                        "in" => T.In,
                        _ => T.Ident,
                    };
                    tokens.Add(new Token(kind, start, i - start));
                    continue;
                }

                if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])))
                {
                    tokens.Add(LexNumber(s, ref i));
                    continue;
                }

                if (c is '"' or '\'')
                {
                    var text = LexString(s, ref i, isRaw: false, start);
                    Unescape(text, isRaw: false, isBytes: false, start);
                    tokens.Add(new Token(T.String, start, i - start));
                    continue;
                }

                if (c == '`')
                {
                    i++;
                    while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '_' or '.' or '-' or '/' or ' '))
                    {
                        i++;
                    }

                    if (i >= s.Length || s[i] != '`' || i == start + 1)
                    {
                        throw new CelSyntaxException($"token recognition error at: '{s[start..Math.Min(i + 1, s.Length)]}'", start);
                    }

                    i++;
                    tokens.Add(new Token(T.EscIdent, start, i - start));
                    continue;
                }

                var next = i + 1 < s.Length ? s[i + 1] : '\0';
                T? twoKind = (c, next) switch
                {
                    ('=', '=') => T.EqEq,
                    ('!', '=') => T.NotEq,
                    ('<', '=') => T.Le,
                    ('>', '=') => T.Ge,
                    ('&', '&') => T.AndAnd,
                    ('|', '|') => T.OrOr,
                    _ => null,
                };
                if (twoKind is { } tk)
                {
                    tokens.Add(new Token(tk, start, 2));
                    i += 2;
                    continue;
                }

                T? oneKind = c switch
                {
                    '<' => T.Lt,
                    '>' => T.Gt,
                    '[' => T.LBracket,
                    ']' => T.RBracket,
                    '{' => T.LBrace,
                    '}' => T.RBrace,
                    '(' => T.LParen,
                    ')' => T.RParen,
                    '.' => T.Dot,
                    ',' => T.Comma,
                    '-' => T.Minus,
                    '!' => T.Bang,
                    '?' => T.Question,
                    ':' => T.Colon,
                    '+' => T.Plus,
                    '*' => T.Star,
                    '/' => T.Slash,
                    '%' => T.Percent,
                    _ => null,
                };
                if (oneKind is { } ok)
                {
                    tokens.Add(new Token(ok, start, 1));
                    i++;
                    continue;
                }

                throw new CelSyntaxException($"token recognition error at: '{c}'", start);
            }
        }

        private static Token LexNumber(string s, ref int i)
        {
            var start = i;
            if (s[i] == '0' && i + 2 < s.Length && s[i + 1] == 'x' && char.IsAsciiHexDigit(s[i + 2]))
            {
                i += 2;
                while (i < s.Length && char.IsAsciiHexDigit(s[i]))
                {
                    i++;
                }

                if (i < s.Length && s[i] is 'u' or 'U')
                {
                    i++;
                    CheckUint(s[(start + 2)..(i - 1)], 16, start);
                    return new Token(T.Uint, start, i - start);
                }

                return new Token(T.Int, start, i - start);
            }

            var isFloat = false;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i + 1 < s.Length && s[i] == '.' && char.IsAsciiDigit(s[i + 1]))
            {
                isFloat = true;
                i++;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }
            }

            if (i < s.Length && s[i] is 'e' or 'E')
            {
                var j = i + 1;
                if (j < s.Length && s[j] is '+' or '-')
                {
                    j++;
                }

                if (j < s.Length && char.IsAsciiDigit(s[j]))
                {
                    isFloat = true;
                    i = j;
                    while (i < s.Length && char.IsAsciiDigit(s[i]))
                    {
                        i++;
                    }
                }
            }

            if (isFloat)
            {
                return new Token(T.Double, start, i - start);
            }

            if (i < s.Length && s[i] is 'u' or 'U')
            {
                i++;
                CheckUint(s[start..(i - 1)], 10, start);
                return new Token(T.Uint, start, i - start);
            }

            return new Token(T.Int, start, i - start);
        }

        private static void CheckUint(string digits, int radix, int pos)
        {
            var ok = radix == 16
                ? ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _)
                : ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out _);
            if (!ok)
            {
                throw new CelSyntaxException("invalid uint literal", pos);
            }
        }

        /// <summary>Reads a quoted literal from the quote at <paramref name="i"/>; returns its text from the quote on.</summary>
        private static string LexString(string s, ref int i, bool isRaw, int tokenStart)
        {
            var quote = s[i];
            var triple = i + 2 < s.Length && s[i + 1] == quote && s[i + 2] == quote;
            var begin = i;
            i += triple ? 3 : 1;
            while (true)
            {
                if (i >= s.Length)
                {
                    throw new CelSyntaxException($"token recognition error at: '{s[tokenStart..]}'", tokenStart);
                }

                var c = s[i];
                if (triple)
                {
                    if (c == quote && i + 2 < s.Length && s[i + 1] == quote && s[i + 2] == quote)
                    {
                        i += 3;
                        return s[begin..i];
                    }
                }
                else
                {
                    if (c == quote)
                    {
                        i++;
                        return s[begin..i];
                    }

                    if (c is '\n' or '\r')
                    {
                        throw new CelSyntaxException($"token recognition error at: '{s[tokenStart..i]}'", tokenStart);
                    }
                }

                if (c == '\\' && !isRaw)
                {
                    if (!LexEscape(s, i))
                    {
                        throw new CelSyntaxException($"token recognition error at: '{s[tokenStart..Math.Min(i + 2, s.Length)]}'", tokenStart);
                    }

                    i += EscapeLength(s, i);
                    continue;
                }

                i++;
            }
        }

        private static bool LexEscape(string s, int i) => EscapeLength(s, i) > 0;

        /// <summary>The length of the escape sequence at <paramref name="i"/> the CEL lexer accepts, or 0.</summary>
        private static int EscapeLength(string s, int i)
        {
            if (i + 1 >= s.Length)
            {
                return 0;
            }

            var c = s[i + 1];
            switch (c)
            {
                case 'a' or 'b' or 'f' or 'n' or 'r' or 't' or 'v' or '"' or '\'' or '\\' or '?' or '`':
                    return 2;
                case 'x' or 'X':
                    return Hex(s, i + 2, 2) ? 4 : 0;
                case 'u':
                    return Hex(s, i + 2, 4) ? 6 : 0;
                case 'U':
                    return Hex(s, i + 2, 8) ? 10 : 0;
                case >= '0' and <= '3':
                    return i + 3 < s.Length && s[i + 2] is >= '0' and <= '7' && s[i + 3] is >= '0' and <= '7' ? 4 : 0;
                default:
                    return 0;
            }
        }

        private static bool Hex(string s, int from, int count)
        {
            if (from + count > s.Length)
            {
                return false;
            }

            for (var k = 0; k < count; k++)
            {
                if (!char.IsAsciiHexDigit(s[from + k]))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The checks cel-go makes while unquoting: code points must be valid, and bytes take no \u.</summary>
        private static void Unescape(string quoted, bool isRaw, bool isBytes, int pos)
        {
            if (isRaw)
            {
                return;
            }

            for (var i = 0; i < quoted.Length; i++)
            {
                if (quoted[i] != '\\')
                {
                    continue;
                }

                var c = quoted[i + 1];
                var length = EscapeLength(quoted, i);
                if (c is 'u' or 'U')
                {
                    if (isBytes)
                    {
                        throw new CelSyntaxException("unable to unescape string", pos);
                    }

                    var value = long.Parse(quoted.AsSpan(i + 2, length - 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                    if (value > 0x10FFFF || value is >= 0xD800 and <= 0xDFFF)
                    {
                        throw new CelSyntaxException("invalid unicode code point", pos);
                    }
                }

                i += length - 1;
            }
        }
    }

    private sealed class Parser(string source, List<Token> tokens)
    {
        private int _pos;
        private int _depth;

        /// <summary>What a parsed expression is, as far as the macros care.</summary>
        private enum Shape
        {
            Other,
            Ident,
            Select,
        }

        private readonly record struct Node(Shape Shape, string? Name = null);

        private Token Peek => tokens[_pos];

        private Token PeekAt(int offset) => tokens[Math.Min(_pos + offset, tokens.Count - 1)];

        private Token Next() => tokens[_pos++];

        private ReadOnlySpan<char> Text(Token token) => source.AsSpan(token.Pos, token.Length);

        private string Display(Token token) => token.Kind == T.Eof ? "<EOF>" : Text(token).ToString();

        private CelSyntaxException Unexpected(string? expecting = null)
        {
            var token = Peek;
            var text = Display(token);
            return new CelSyntaxException(
                expecting is null ? $"mismatched input '{text}'" : $"mismatched input '{text}' expecting {expecting}",
                token.Pos);
        }

        private void Expect(T kind, string display)
        {
            if (Peek.Kind != kind)
            {
                throw Unexpected(display);
            }

            _pos++;
        }

        private void Enter()
        {
            if (++_depth > MaxDepth || !System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                throw new CelSyntaxException($"expression recursion limit exceeded: {MaxDepth}", Peek.Pos);
            }
        }

        public void ParseStart()
        {
            ParseExpr();
            if (Peek.Kind != T.Eof)
            {
                throw new CelSyntaxException($"extraneous input '{Display(Peek)}' expecting <EOF>", Peek.Pos);
            }
        }

        private Node ParseExpr()
        {
            Enter();
            var e = ParseOr();
            if (Peek.Kind == T.Question)
            {
                _pos++;
                ParseOr();
                Expect(T.Colon, "':'");
                ParseExpr();
                e = new Node(Shape.Other);
            }

            _depth--;
            return e;
        }

        private Node ParseOr()
        {
            var e = ParseAnd();
            while (Peek.Kind == T.OrOr)
            {
                _pos++;
                ParseAnd();
                e = new Node(Shape.Other);
            }

            return e;
        }

        private Node ParseAnd()
        {
            var e = ParseRelation();
            while (Peek.Kind == T.AndAnd)
            {
                _pos++;
                ParseRelation();
                e = new Node(Shape.Other);
            }

            return e;
        }

        private Node ParseRelation()
        {
            var e = ParseAddition();
            var chain = 0;
            while (Peek.Kind is T.Lt or T.Le or T.Ge or T.Gt or T.EqEq or T.NotEq or T.In)
            {
                _pos++;
                Enter();
                chain++;
                ParseAddition();
                e = new Node(Shape.Other);
            }

            _depth -= chain;
            return e;
        }

        private Node ParseAddition()
        {
            var e = ParseMultiplication();
            var chain = 0;
            while (Peek.Kind is T.Plus or T.Minus)
            {
                _pos++;
                Enter();
                chain++;
                ParseMultiplication();
                e = new Node(Shape.Other);
            }

            _depth -= chain;
            return e;
        }

        private Node ParseMultiplication()
        {
            var e = ParseUnary();
            var chain = 0;
            while (Peek.Kind is T.Star or T.Slash or T.Percent)
            {
                _pos++;
                Enter();
                chain++;
                ParseUnary();
                e = new Node(Shape.Other);
            }

            _depth -= chain;
            return e;
        }

        private Node ParseUnary()
        {
            if (Peek.Kind == T.Bang)
            {
                while (Peek.Kind == T.Bang)
                {
                    _pos++;
                }

                ParseMember();
                return new Node(Shape.Other);
            }

            if (Peek.Kind == T.Minus)
            {
                // A single minus right before a number is the literal's sign (so -9223372036854775808 fits);
                // cel-go's grammar prefers that reading.
                if (PeekAt(1).Kind is T.Int or T.Double)
                {
                    return ParseMember();
                }

                while (Peek.Kind == T.Minus)
                {
                    _pos++;
                }

                ParseMember();
                return new Node(Shape.Other);
            }

            return ParseMember();
        }

        private Node ParseMember()
        {
            var e = ParsePrimary();
            var chain = 0;
            while (true)
            {
                if (Peek.Kind == T.Dot)
                {
                    var dot = Next();
                    Enter();
                    chain++;
                    if (Peek.Kind == T.Question)
                    {
                        throw new CelSyntaxException("unsupported syntax '.?'", dot.Pos);
                    }

                    if (Peek.Kind == T.Ident && PeekAt(1).Kind == T.LParen)
                    {
                        var name = Next();
                        _pos++;
                        var args = ParseExprList(T.RParen);
                        Expect(T.RParen, "')'");
                        CheckReceiverMacro(Text(name), args, dot.Pos);
                        e = new Node(Shape.Other);
                        continue;
                    }

                    if (Peek.Kind is T.Ident or T.EscIdent)
                    {
                        Next();
                        e = new Node(Shape.Select);
                        continue;
                    }

                    throw Unexpected("{IDENTIFIER, ESC_IDENTIFIER}");
                }

                if (Peek.Kind == T.LBracket)
                {
                    var open = Next();
                    Enter();
                    chain++;
                    if (Peek.Kind == T.Question)
                    {
                        throw new CelSyntaxException("unsupported syntax '[?'", open.Pos);
                    }

                    ParseExpr();
                    Expect(T.RBracket, "']'");
                    e = new Node(Shape.Other);
                    continue;
                }

                break;
            }

            _depth -= chain;
            return e;
        }

        private Node ParsePrimary()
        {
            var token = Peek;
            switch (token.Kind)
            {
                case T.Dot or T.Ident:
                    return ParseIdentPrimary();
                case T.LParen:
                    _pos++;
                    var inner = ParseExpr();
                    Expect(T.RParen, "')'");
                    return inner;
                case T.LBracket:
                    _pos++;
                    ParseListInit();
                    Expect(T.RBracket, "']'");
                    return new Node(Shape.Other);
                case T.LBrace:
                    _pos++;
                    ParseMapInit();
                    Expect(T.RBrace, "'}'");
                    return new Node(Shape.Other);
                case T.Minus when PeekAt(1).Kind is T.Int or T.Double:
                    _pos++;
                    if (Next() is { Kind: T.Int } signed)
                    {
                        CheckInt(signed, negative: true);
                    }

                    return new Node(Shape.Other);
                case T.Int:
                    _pos++;
                    CheckInt(token, negative: false);
                    return new Node(Shape.Other);
                case T.Uint or T.Double or T.String or T.Bytes or T.True or T.False or T.Null:
                    _pos++;
                    return new Node(Shape.Other);
                default:
                    throw Unexpected();
            }
        }

        private Node ParseIdentPrimary()
        {
            var leadingDot = false;
            if (Peek.Kind == T.Dot)
            {
                leadingDot = true;
                _pos++;
            }

            if (Peek.Kind != T.Ident)
            {
                throw Unexpected("IDENTIFIER");
            }

            // A dotted name followed by '{' is a message construction.
            var look = 1;
            while (PeekAt(look).Kind == T.Dot && PeekAt(look + 1).Kind == T.Ident)
            {
                look += 2;
            }

            if (PeekAt(look).Kind == T.LBrace)
            {
                _pos += look + 1;
                ParseFieldInit();
                Expect(T.RBrace, "'}'");
                return new Node(Shape.Other);
            }

            var ident = Next();
            if (Peek.Kind == T.LParen)
            {
                _pos++;
                var args = ParseExprList(T.RParen);
                Expect(T.RParen, "')'");
                if (ReservedSpans.Contains(Text(ident)))
                {
                    throw new CelSyntaxException($"reserved identifier: {Display(ident)}", ident.Pos);
                }

                if (!leadingDot && Text(ident) is "has" && args.Count == 1 && args[0].Shape != Shape.Select)
                {
                    throw new CelSyntaxException("invalid argument to has() macro", ident.Pos);
                }

                return new Node(Shape.Other);
            }

            if (ReservedSpans.Contains(Text(ident)))
            {
                throw new CelSyntaxException($"reserved identifier: {Display(ident)}", ident.Pos);
            }

            // Only the accumulator names matter to the macros; other names need not be kept.
            var name = !leadingDot && Text(ident) is "__result__" ? "__result__" : null;
            return new Node(Shape.Ident, name);
        }

        private static void CheckReceiverMacro(ReadOnlySpan<char> name, List<Node> args, int pos)
        {
            var quantifier = (name is "all" || name is "exists" || name is "exists_one") && args.Count == 2;
            var map = name is "map" && args.Count is 2 or 3;
            var filter = name is "filter" && args.Count == 2;
            if (!quantifier && !map && !filter)
            {
                return;
            }

            if (args[0].Shape != Shape.Ident)
            {
                throw new CelSyntaxException(quantifier ? "argument must be a simple name" : "argument is not an identifier", pos);
            }

            if (args[0].Name is "@result" or "__result__")
            {
                throw new CelSyntaxException("iteration variable overwrites accumulator variable", pos);
            }
        }

        private void CheckInt(Token token, bool negative)
        {
            var text = Text(token);
            bool ok;
            if (text.StartsWith("0x", StringComparison.Ordinal))
            {
                ok = ulong.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)
                    && (negative ? v <= 9_223_372_036_854_775_808UL : v <= long.MaxValue);
            }
            else
            {
                ok = ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                    && (negative ? v <= 9_223_372_036_854_775_808UL : v <= long.MaxValue);
            }

            if (!ok)
            {
                throw new CelSyntaxException("invalid int literal", token.Pos);
            }
        }

        private List<Node> ParseExprList(T close)
        {
            var result = new List<Node>();
            if (Peek.Kind == close)
            {
                return result;
            }

            result.Add(ParseExpr());
            while (Peek.Kind == T.Comma)
            {
                _pos++;
                result.Add(ParseExpr());
            }

            return result;
        }

        private void ParseListInit()
        {
            if (Peek.Kind == T.RBracket)
            {
                return;
            }

            while (true)
            {
                if (Peek.Kind == T.Question)
                {
                    throw new CelSyntaxException("unsupported syntax '?'", Peek.Pos);
                }

                ParseExpr();
                if (Peek.Kind != T.Comma)
                {
                    return;
                }

                _pos++;
                if (Peek.Kind == T.RBracket)
                {
                    return;
                }
            }
        }

        private void ParseMapInit()
        {
            if (Peek.Kind == T.RBrace)
            {
                return;
            }

            while (true)
            {
                if (Peek.Kind == T.Question)
                {
                    throw new CelSyntaxException("unsupported syntax '?'", Peek.Pos);
                }

                ParseExpr();
                Expect(T.Colon, "':'");
                ParseExpr();
                if (Peek.Kind != T.Comma)
                {
                    return;
                }

                _pos++;
                if (Peek.Kind == T.RBrace)
                {
                    return;
                }
            }
        }

        private void ParseFieldInit()
        {
            if (Peek.Kind == T.RBrace)
            {
                return;
            }

            while (true)
            {
                if (Peek.Kind == T.Question)
                {
                    throw new CelSyntaxException("unsupported syntax '?'", Peek.Pos);
                }

                if (Peek.Kind is not (T.Ident or T.EscIdent))
                {
                    throw Unexpected("{'?', IDENTIFIER, ESC_IDENTIFIER}");
                }

                _pos++;
                Expect(T.Colon, "':'");
                ParseExpr();
                if (Peek.Kind != T.Comma)
                {
                    return;
                }

                _pos++;
                if (Peek.Kind == T.RBrace)
                {
                    return;
                }
            }
        }
    }
}
