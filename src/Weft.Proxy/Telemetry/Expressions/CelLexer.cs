using System.Globalization;
using System.Text;

namespace Weft.Proxy.Telemetry.Expressions;

internal enum CelTokenKind : byte
{
    End,
    Identifier,
    Int,
    Uint,
    Double,
    String,
    Punctuation,
}

/// <summary>One token; <see cref="Text"/> is the identifier, the operator, or a string literal's decoded value.</summary>
internal readonly record struct CelToken(CelTokenKind Kind, string Text, int Position, CelValue Literal = default);

/// <summary>
/// CEL's lexical grammar: identifiers, decimal and hex integers (<c>u</c> for uint), doubles, strings in single or double
/// quotes, triple-quoted, raw (<c>r'…'</c>), with CEL's escapes, operators and comments (<c>//</c>). Bytes literals are
/// refused. Errors are <see cref="FormatException"/>s naming the column.
/// </summary>
internal static class CelLexer
{
    private static readonly string[] Operators = ["&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}"];

    public static List<CelToken> Tokenize(string text)
    {
        var tokens = new List<CelToken>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && (char.IsWhiteSpace(text[i]) || (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/')))
            {
                if (text[i] == '/')
                {
                    while (i < text.Length && text[i] != '\n')
                    {
                        i++;
                    }
                }
                else
                {
                    i++;
                }
            }

            if (i >= text.Length)
            {
                tokens.Add(new CelToken(CelTokenKind.End, string.Empty, i));
                return tokens;
            }

            var c = text[i];
            var start = i;
            if (c is '"' or '\'' || (c is 'r' or 'R' or 'b' or 'B' && i + 1 < text.Length && text[i + 1] is '"' or '\''))
            {
                tokens.Add(StringLiteral(text, ref i));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new CelToken(CelTokenKind.Identifier, text[start..i], start));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]) && !EndsOperand(tokens)))
            {
                tokens.Add(Number(text, ref i));
            }
            else
            {
                var op = Array.Find(Operators, o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0)
                    ?? throw Error(start, $"unexpected character '{c}'");
                i += op.Length;
                tokens.Add(new CelToken(CelTokenKind.Punctuation, op, start));
            }
        }
    }

    public static FormatException Error(int position, string message) => new($"at column {position + 1}: {message}");

    /// <summary>Whether a '.' after the last token selects a member (after an operand) rather than starting a number.</summary>
    private static bool EndsOperand(List<CelToken> tokens) =>
        tokens.Count > 0 && tokens[^1] is { Kind: not CelTokenKind.Punctuation } or { Text: ")" or "]" or "}" };

    private static CelToken Number(string text, ref int i)
    {
        var start = i;
        if (text[i] == '0' && i + 1 < text.Length && text[i + 1] is 'x' or 'X')
        {
            i += 2;
            while (i < text.Length && char.IsAsciiHexDigit(text[i]))
            {
                i++;
            }

            var hex = text[(start + 2)..i];
            var unsigned = i < text.Length && text[i] is 'u' or 'U';
            if (hex.Length == 0 || !ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value) || (!unsigned && value > long.MaxValue))
            {
                throw Error(start, $"integer literal {text[start..i]} is out of range");
            }

            if (unsigned)
            {
                i++;
                return new CelToken(CelTokenKind.Uint, text[start..i], start, CelValue.Uint(value));
            }

            return new CelToken(CelTokenKind.Int, text[start..i], start, CelValue.Int((long)value));
        }

        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        var isDouble = false;
        if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
        {
            isDouble = true;
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var exponent = i + 1;
            if (exponent < text.Length && text[exponent] is '+' or '-')
            {
                exponent++;
            }

            if (exponent < text.Length && char.IsAsciiDigit(text[exponent]))
            {
                isDouble = true;
                i = exponent;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }
            }
        }

        var literal = text[start..i];
        if (isDouble)
        {
            return new CelToken(CelTokenKind.Double, literal, start, CelValue.Double(double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }

        if (i < text.Length && text[i] is 'u' or 'U')
        {
            i++;
            return ulong.TryParse(literal, NumberStyles.None, CultureInfo.InvariantCulture, out var u)
                ? new CelToken(CelTokenKind.Uint, literal + "u", start, CelValue.Uint(u))
                : throw Error(start, $"integer literal {literal}u is out of range");
        }

        // The magnitude may be 2^63 when the literal follows a unary minus; the parser folds and checks it.
        return ulong.TryParse(literal, NumberStyles.None, CultureInfo.InvariantCulture, out var magnitude) && magnitude <= (ulong)long.MaxValue + 1
            ? new CelToken(CelTokenKind.Int, literal, start, magnitude <= long.MaxValue ? CelValue.Int((long)magnitude) : CelValue.Null)
            : throw Error(start, $"integer literal {literal} is out of range");
    }

    private static CelToken StringLiteral(string text, ref int i)
    {
        var start = i;
        var raw = false;
        if (text[i] is 'b' or 'B')
        {
            throw Error(start, "bytes literals are not supported");
        }

        if (text[i] is 'r' or 'R')
        {
            raw = true;
            i++;
        }

        var quote = text[i];
        var triple = string.CompareOrdinal(text, i, new string(quote, 3), 0, 3) == 0;
        var delimiter = triple ? new string(quote, 3) : quote.ToString();
        i += delimiter.Length;
        var value = new StringBuilder();
        while (true)
        {
            if (i >= text.Length || (!triple && text[i] is '\n' or '\r'))
            {
                throw Error(start, "unterminated string literal");
            }

            if (string.CompareOrdinal(text, i, delimiter, 0, delimiter.Length) == 0)
            {
                i += delimiter.Length;
                return new CelToken(CelTokenKind.String, text[start..i], start, CelValue.String(value.ToString()));
            }

            var c = text[i];
            if (c != '\\' || raw)
            {
                value.Append(c);
                i++;
                continue;
            }

            if (i + 1 >= text.Length)
            {
                throw Error(start, "unterminated string literal");
            }

            var escape = text[i + 1];
            i += 2;
            switch (escape)
            {
                case '\\' or '"' or '\'' or '`' or '?':
                    value.Append(escape);
                    break;
                case 'a': value.Append('\a'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case 'n': value.Append('\n'); break;
                case 'r': value.Append('\r'); break;
                case 't': value.Append('\t'); break;
                case 'v': value.Append('\v'); break;
                case 'x' or 'X':
                    value.Append((char)Hex(text, ref i, 2, start));
                    break;
                case 'u':
                    value.Append((char)Hex(text, ref i, 4, start));
                    break;
                case 'U':
                    var code = Hex(text, ref i, 8, start);
                    if (code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
                    {
                        throw Error(start, "invalid \\U escape in string literal");
                    }

                    value.Append(char.ConvertFromUtf32(code));
                    break;
                case >= '0' and <= '3':
                    if (i + 1 >= text.Length || text[i] is < '0' or > '7' || text[i + 1] is < '0' or > '7')
                    {
                        throw Error(start, "invalid octal escape in string literal");
                    }

                    value.Append((char)(((escape - '0') * 64) + ((text[i] - '0') * 8) + (text[i + 1] - '0')));
                    i += 2;
                    break;
                default:
                    throw Error(start, $"invalid escape \\{escape} in string literal");
            }
        }
    }

    private static int Hex(string text, ref int i, int digits, int start)
    {
        if (i + digits > text.Length || !int.TryParse(text.AsSpan(i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(start, "invalid hex escape in string literal");
        }

        i += digits;
        return value;
    }
}
