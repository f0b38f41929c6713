using System.Runtime.CompilerServices;

namespace Weft.Api.Documents.Fast;

// Single- and double-quoted scalars: escapes, and YamlDotNet's folding of line breaks (one break becomes a space,
// n+1 breaks become n line feeds, an escaped break joins the lines, white space around breaks is dropped).
internal sealed partial class FastYamlParser
{
    /// <summary>Reads a quoted scalar starting at its quote; the cursor ends just past the closing quote.</summary>
    /// <param name="n">
    /// The block indentation: double-quoted continuation lines must be indented past it. int.MaxValue allows no
    /// continuation line at all (keys).
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string ScanQuoted(int n)
    {
        var quote = _text[_pos];
        var single = quote == '\'';
        _flowQuotedSeen = _flowLevel > 0;
        _pos++;

        // Most quoted scalars close on the same line with nothing to unescape: a slice of the text.
        var rest = _text.AsSpan(_pos);
        var stopAt = single ? rest.IndexOfAny('\'', '\n') : rest.IndexOfAny('"', '\\', '\n');
        if (stopAt >= 0 && rest[stopAt] == quote && !(single && stopAt + 1 < rest.Length && rest[stopAt + 1] == '\''))
        {
            var text = _scratch.Strings.Get(rest[..stopAt]);
            _pos += stopAt + 1;
            return text;
        }

        return ScanQuotedSlowly(quote, single, n);
    }

    private string ScanQuotedSlowly(char quote, bool single, int n)
    {
        var buffer = _scratch.Chars;
        buffer.Clear();

        // After a line break (real or escaped) the next content is checked for indentation and document markers.
        var afterBreak = false;

        // Whether the pending break is a real one (folded) rather than an escaped one (dropped).
        var realBreak = false;
        var extraBreaks = 0;
        while (true)
        {
            if (afterBreak)
            {
                if (AtDocumentMarker())
                {
                    GiveUp("a document marker inside a quoted scalar");
                }

                // YamlDotNet holds double-quoted continuation lines to the block indentation (and errs); it lets
                // single-quoted ones start anywhere. int.MaxValue asks for a single line either way.
                if (Col <= n && (!single || n == int.MaxValue))
                {
                    GiveUp("a quoted scalar's continuation line indented too little");
                }
            }

            afterBreak = false;
            while (true)
            {
                var c = Cur;
                if (c is ' ' or '\t' or '\n')
                {
                    break;
                }

                if (c == '\0')
                {
                    GiveUp("an unterminated quoted scalar");
                }

                if (c == quote)
                {
                    if (single && Peek(1) == '\'')
                    {
                        buffer.Append('\'');
                        _pos += 2;
                        continue;
                    }

                    _pos++;
                    return buffer.ToString();
                }

                if (!single && c == '\\')
                {
                    if (Peek(1) == '\n')
                    {
                        _pos++;
                        NewLine();
                        afterBreak = true;
                        break;
                    }

                    ReadEscape(buffer);
                    continue;
                }

                buffer.Append(c);
                _pos++;
            }

            if (afterBreak)
            {
                // An escaped break: YamlDotNet lets a quote at the very start of the next line close the scalar
                // without its indentation check; this holds that line to the check like any other.
                if (Cur is not (' ' or '\t' or '\n'))
                {
                    continue;
                }
            }

            // White space and line breaks up to the next content.
            var whiteStart = _pos;
            var breakSeen = afterBreak;
            while (true)
            {
                var c = Cur;
                if (c is ' ' or '\t')
                {
                    _pos++;
                }
                else if (c == '\n')
                {
                    if (!breakSeen)
                    {
                        breakSeen = true;
                        realBreak = true;
                    }
                    else
                    {
                        extraBreaks++;
                    }

                    NewLine();
                }
                else
                {
                    break;
                }
            }

            if (breakSeen)
            {
                if (realBreak && extraBreaks == 0)
                {
                    buffer.Append(' ');
                }
                else
                {
                    buffer.Append('\n', extraBreaks);
                }

                realBreak = false;
                extraBreaks = 0;
                afterBreak = true;
            }
            else
            {
                buffer.Append(_text.AsSpan(whiteStart, _pos - whiteStart));
            }
        }
    }

    /// <summary>At a backslash inside a double-quoted scalar: appends what the escape stands for.</summary>
    private void ReadEscape(CharBuffer buffer)
    {
        var e = Peek(1);
        var digits = 0;
        switch (e)
        {
            case '0': buffer.Append('\0'); break;
            case 'a': buffer.Append('\a'); break;
            case 'b': buffer.Append('\b'); break;
            case 't' or '\t': buffer.Append('\t'); break;
            case 'n': buffer.Append('\n'); break;
            case 'v': buffer.Append('\v'); break;
            case 'f': buffer.Append('\f'); break;
            case 'r': buffer.Append('\r'); break;
            case 'e': buffer.Append('\u001B'); break;
            case ' ': buffer.Append(' '); break;
            case '"': buffer.Append('"'); break;
            case '\\': buffer.Append('\\'); break;
            case '/': buffer.Append('/'); break;
            case 'N': buffer.Append('\u0085'); break;
            case '_': buffer.Append('\u00A0'); break;
            case 'L': buffer.Append('\u2028'); break;
            case 'P': buffer.Append('\u2029'); break;
            case 'x': digits = 2; break;
            case 'u': digits = 4; break;
            case 'U': digits = 8; break;
            default:
                GiveUp("an unknown escape");
                break;
        }

        _pos += 2;
        if (digits == 0)
        {
            return;
        }

        var code = ReadHex(digits);
        if (code is >= 0xD800 and <= 0xDFFF)
        {
            // Only a well-formed \uHIGH\uLOW pair; YamlDotNet's handling of anything else is erratic.
            if (e != 'u' || code > 0xDBFF || Cur != '\\' || Peek(1) != 'u')
            {
                GiveUp("an unpaired surrogate escape");
            }

            _pos += 2;
            var low = ReadHex(4);
            if (low is < 0xDC00 or > 0xDFFF)
            {
                GiveUp("an unpaired surrogate escape");
            }

            buffer.Append((char)code);
            buffer.Append((char)low);
            return;
        }

        if (code > 0x10FFFF)
        {
            GiveUp("an escape beyond Unicode");
        }

        if (code <= 0xFFFF)
        {
            buffer.Append((char)code);
        }
        else
        {
            buffer.Append(char.ConvertFromUtf32(code));
        }
    }

    private int ReadHex(int digits)
    {
        var code = 0;
        for (var i = 0; i < digits; i++)
        {
            var c = Cur;
            int value = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => -1,
            };
            if (value < 0)
            {
                GiveUp("a malformed hexadecimal escape");
            }

            code = (code << 4) | value;
            _pos++;
        }

        return code;
    }
}
