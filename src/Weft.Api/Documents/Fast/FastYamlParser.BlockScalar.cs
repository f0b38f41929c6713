namespace Weft.Api.Documents.Fast;

// Literal (|) and folded (>) block scalars with chomping (-, +) and indentation indicators.
internal sealed partial class FastYamlParser
{
    /// <summary>Reads a block scalar starting at its indicator; returns at the next content.</summary>
    private Built ParseBlockScalar(int n, Props props)
    {
        if (n < 0)
        {
            // At document level YamlDotNet may take column-0 lines as content; not worth the risk.
            GiveUp("a block scalar at document level");
        }

        var location = Here;
        var literal = Cur == '|';
        _pos++;
        var chomp = 0;
        var indicator = 0;
        for (var i = 0; i < 2; i++)
        {
            var c = Cur;
            if (c is '+' or '-' && chomp == 0)
            {
                chomp = c == '+' ? 1 : -1;
                _pos++;
            }
            else if (c is >= '1' and <= '9' && indicator == 0)
            {
                indicator = c - '0';
                _pos++;
            }
            else
            {
                break;
            }
        }

        if (!IsBlank(Cur))
        {
            GiveUp("a malformed block scalar header");
        }

        FinishLine();

        // YamlDotNet has quirks (and errors) for white space on the lines before the first content line; only
        // entirely empty lines are taken there.
        var p = _pos;
        while (p < _end && _text[p] == '\n')
        {
            p++;
        }

        var q = p;
        while (q < _end && _text[q] == ' ')
        {
            q++;
        }

        if (q < _end && _text[q] == '\t')
        {
            GiveUp("a tab in a block scalar's indentation");
        }

        if (q > p && (q == _end || _text[q] == '\n'))
        {
            GiveUp("white space on a line before a block scalar's first content");
        }

        var indent = indicator == 0 ? Math.Max(q - p, n + 1) : n + indicator;
        var text = ReadBlockScalarLines(indent, literal, chomp);
        SkipBlankLines();
        return Scalar(props, location, text, plain: false);
    }

    /// <summary>Reads lines indented at least <paramref name="indent"/>, from the line after the header.</summary>
    private string ReadBlockScalarLines(int indent, bool literal, int chomp)
    {
        var buffer = _scratch.Chars;
        buffer.Clear();
        var pendingBreak = false;
        var emptyLines = 0;
        var previousIndented = false;
        while (true)
        {
            var limit = _lineStart + indent;
            while (_pos < limit && _pos < _end && _text[_pos] == ' ')
            {
                _pos++;
            }

            var c = Cur;
            if (c == '\n')
            {
                emptyLines++;
                NewLine();
                continue;
            }

            if (c == '\0')
            {
                break;
            }

            if (_pos < limit)
            {
                if (c == '\t')
                {
                    GiveUp("a tab in a block scalar's indentation");
                }

                break;
            }

            // A content line. Folding joins it to the previous one with a space unless either is more indented
            // (starts with white space) or empty lines separate them.
            var indented = c is ' ' or '\t';
            if (!literal && pendingBreak && !previousIndented && !indented)
            {
                if (emptyLines == 0)
                {
                    buffer.Append(' ');
                }
            }
            else if (pendingBreak)
            {
                buffer.Append('\n');
            }

            buffer.Append('\n', emptyLines);
            emptyLines = 0;
            previousIndented = indented;
            var eol = _text.IndexOf('\n', _pos);
            if (eol < 0)
            {
                eol = _end;
            }

            buffer.Append(_text.AsSpan(_pos, eol - _pos));
            _pos = eol;
            if (_pos >= _end)
            {
                pendingBreak = false;
                break;
            }

            pendingBreak = true;
            NewLine();
        }

        if (chomp != -1 && pendingBreak)
        {
            buffer.Append('\n');
        }

        if (chomp == 1)
        {
            buffer.Append('\n', emptyLines);
        }

        return buffer.ToString();
    }
}
