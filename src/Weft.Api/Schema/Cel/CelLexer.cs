using System.Globalization;
using System.Text;

namespace Weft.Api.Schema.Cel;

/// <summary>Splits CEL source into tokens, decoding string literals as the CEL specification describes.</summary>
internal sealed class CelLexer
{
    private readonly string _src;
    private int _pos;

    private CelLexer(string source) => _src = source;

    public static List<CelToken> Tokenize(string source)
    {
        var lexer = new CelLexer(source);
        var tokens = new List<CelToken>();
        CelToken token;
        do
        {
            token = lexer.Next();
            tokens.Add(token);
        }
        while (token.Kind != CelTokenKind.End);

        return tokens;
    }

    private CelToken Next()
    {
        SkipTrivia();
        if (_pos >= _src.Length)
        {
            return new CelToken(CelTokenKind.End, string.Empty, _pos);
        }

        var start = _pos;
        var c = _src[_pos];
        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1))))
        {
            return Number();
        }

        if (char.IsAsciiLetter(c) || c == '_')
        {
            return IdentifierOrPrefixedString();
        }

        if (c is '"' or '\'')
        {
            return String(start, raw: false);
        }

        _pos++;
        return c switch
        {
            '(' => Token(CelTokenKind.LeftParen, start),
            ')' => Token(CelTokenKind.RightParen, start),
            '[' => Token(CelTokenKind.LeftBracket, start),
            ']' => Token(CelTokenKind.RightBracket, start),
            '{' => Token(CelTokenKind.LeftBrace, start),
            '}' => Token(CelTokenKind.RightBrace, start),
            '.' => Token(CelTokenKind.Dot, start),
            ',' => Token(CelTokenKind.Comma, start),
            ':' => Token(CelTokenKind.Colon, start),
            '?' => Token(CelTokenKind.Question, start),
            '+' => Token(CelTokenKind.Plus, start),
            '-' => Token(CelTokenKind.Minus, start),
            '*' => Token(CelTokenKind.Star, start),
            '/' => Token(CelTokenKind.Slash, start),
            '%' => Token(CelTokenKind.Percent, start),
            '!' => Take('=') ? Token(CelTokenKind.NotEqual, start) : Token(CelTokenKind.Not, start),
            '<' => Take('=') ? Token(CelTokenKind.LessEqual, start) : Token(CelTokenKind.Less, start),
            '>' => Take('=') ? Token(CelTokenKind.GreaterEqual, start) : Token(CelTokenKind.Greater, start),
            '=' when Take('=') => Token(CelTokenKind.EqualEqual, start),
            '&' when Take('&') => Token(CelTokenKind.AndAnd, start),
            '|' when Take('|') => Token(CelTokenKind.OrOr, start),
            _ => throw new CelCompileException($"unexpected character '{c}'", start),
        };
    }

    private static CelToken Token(CelTokenKind kind, int start) => new(kind, string.Empty, start);

    private char Peek(int ahead) => _pos + ahead < _src.Length ? _src[_pos + ahead] : '\0';

    private bool Take(char c)
    {
        if (_pos < _src.Length && _src[_pos] == c)
        {
            _pos++;
            return true;
        }

        return false;
    }

    private void SkipTrivia()
    {
        while (_pos < _src.Length)
        {
            var c = _src[_pos];
            if (c is ' ' or '\t' or '\n' or '\r' or '\f')
            {
                _pos++;
            }
            else if (c == '/' && Peek(1) == '/')
            {
                while (_pos < _src.Length && _src[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private CelToken Number()
    {
        var start = _pos;
        if (_src[_pos] == '0' && (Peek(1) is 'x' or 'X'))
        {
            _pos += 2;
            var digitsStart = _pos;
            while (_pos < _src.Length && char.IsAsciiHexDigit(_src[_pos]))
            {
                _pos++;
            }

            if (_pos == digitsStart)
            {
                throw new CelCompileException("hexadecimal literal without digits", start);
            }

            var hex = _src[digitsStart.._pos];
            return Take('u') || Take('U')
                ? new CelToken(CelTokenKind.Uint, hex, start, Hex: true)
                : new CelToken(CelTokenKind.Int, hex, start, Hex: true);
        }

        SkipDigits();
        var isDouble = false;
        if (_pos < _src.Length && _src[_pos] == '.' && char.IsAsciiDigit(Peek(1)))
        {
            isDouble = true;
            _pos++;
            SkipDigits();
        }

        if (_pos < _src.Length && _src[_pos] is 'e' or 'E')
        {
            var save = _pos;
            _pos++;
            if (_pos < _src.Length && _src[_pos] is '+' or '-')
            {
                _pos++;
            }

            if (_pos < _src.Length && char.IsAsciiDigit(_src[_pos]))
            {
                isDouble = true;
                SkipDigits();
            }
            else
            {
                _pos = save;
            }
        }

        var text = _src[start.._pos];
        if (isDouble)
        {
            return new CelToken(CelTokenKind.Double, text, start);
        }

        return Take('u') || Take('U')
            ? new CelToken(CelTokenKind.Uint, text, start)
            : new CelToken(CelTokenKind.Int, text, start);
    }

    private void SkipDigits()
    {
        while (_pos < _src.Length && char.IsAsciiDigit(_src[_pos]))
        {
            _pos++;
        }
    }

    private CelToken IdentifierOrPrefixedString()
    {
        var start = _pos;
        while (_pos < _src.Length && (char.IsAsciiLetterOrDigit(_src[_pos]) || _src[_pos] == '_'))
        {
            _pos++;
        }

        var word = _src[start.._pos];
        if (_pos < _src.Length && _src[_pos] is '"' or '\'')
        {
            switch (word.ToLowerInvariant())
            {
                case "r":
                    return String(start, raw: true);
                case "b" or "rb" or "br":
                    throw new CelCompileException("bytes literals are not supported", start);
            }
        }

        return word == "in"
            ? new CelToken(CelTokenKind.In, word, start)
            : new CelToken(CelTokenKind.Identifier, word, start);
    }

    private CelToken String(int start, bool raw)
    {
        var quote = _src[_pos];
        var triple = Peek(1) == quote && Peek(2) == quote;
        _pos += triple ? 3 : 1;
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _src.Length)
            {
                throw new CelCompileException("unterminated string literal", start);
            }

            var c = _src[_pos];
            if (c == quote && (!triple || (Peek(1) == quote && Peek(2) == quote)))
            {
                _pos += triple ? 3 : 1;
                return new CelToken(CelTokenKind.String, sb.ToString(), start);
            }

            if (!triple && c is '\n' or '\r')
            {
                throw new CelCompileException("newline in string literal", _pos);
            }

            if (c == '\\' && !raw)
            {
                Escape(sb);
            }
            else
            {
                sb.Append(c);
                _pos++;
            }
        }
    }

    private void Escape(StringBuilder sb)
    {
        var at = _pos;
        _pos++;
        if (_pos >= _src.Length)
        {
            throw new CelCompileException("unterminated escape sequence", at);
        }

        var c = _src[_pos++];
        switch (c)
        {
            case 'a': sb.Append('\a'); return;
            case 'b': sb.Append('\b'); return;
            case 'f': sb.Append('\f'); return;
            case 'n': sb.Append('\n'); return;
            case 'r': sb.Append('\r'); return;
            case 't': sb.Append('\t'); return;
            case 'v': sb.Append('\v'); return;
            case '\\' or '?' or '"' or '\'' or '`': sb.Append(c); return;
            case 'x' or 'X': AppendCodePoint(sb, HexDigits(2, at), at); return;
            case 'u': AppendCodePoint(sb, HexDigits(4, at), at); return;
            case 'U': AppendCodePoint(sb, HexDigits(8, at), at); return;
            case >= '0' and <= '3':
                if (_pos + 1 < _src.Length && _src[_pos] is >= '0' and <= '7' && _src[_pos + 1] is >= '0' and <= '7')
                {
                    var value = ((c - '0') * 64) + ((_src[_pos] - '0') * 8) + (_src[_pos + 1] - '0');
                    _pos += 2;
                    AppendCodePoint(sb, value, at);
                    return;
                }

                break;
        }

        throw new CelCompileException($"invalid escape sequence '\\{c}'", at);
    }

    private int HexDigits(int count, int at)
    {
        if (_pos + count > _src.Length
            || !long.TryParse(_src.AsSpan(_pos, count), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw new CelCompileException("invalid hexadecimal escape", at);
        }

        _pos += count;
        return value > 0x10FFFF ? -1 : (int)value;
    }

    private static void AppendCodePoint(StringBuilder sb, int codePoint, int at)
    {
        if (codePoint is < 0 or > 0x10FFFF || (codePoint is >= 0xD800 and <= 0xDFFF))
        {
            throw new CelCompileException("escape is not a valid code point", at);
        }

        sb.Append(char.ConvertFromUtf32(codePoint));
    }
}
