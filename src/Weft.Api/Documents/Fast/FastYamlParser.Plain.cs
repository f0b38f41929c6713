using System.Runtime.CompilerServices;

namespace Weft.Api.Documents.Fast;

// Plain (unquoted) scalars, in block and flow context, with YamlDotNet's folding of continuation lines: a single
// line break becomes a space, n+1 breaks become n line feeds, and white space around breaks is dropped.
internal sealed partial class FastYamlParser
{
    private enum PlainStop
    {
        /// <summary>A line break or the end of the input.</summary>
        LineEnd,

        /// <summary>" #": a comment.</summary>
        Comment,

        /// <summary>": " — the scalar is a key, or the input is one YamlDotNet rejects.</summary>
        Colon,

        /// <summary>",", "[", "]", "{" or "}" in flow context.</summary>
        FlowIndicator,
    }

    /// <summary>Whether a plain scalar may start with <paramref name="c"/> followed by <paramref name="next"/>.</summary>
    /// <remarks>
    /// Stricter than YAML: a leading '?' is refused in flow context, where YamlDotNet reads it as an indicator in
    /// places. A leading ':' (":authority") is further checked by <see cref="CheckLeadingColon"/>.
    /// </remarks>
    private static bool CanStartPlain(char c, char next, bool flow) => c switch
    {
        '-' => !(next is ' ' or '\t' or '\n' or '\0') && !(flow && next is ',' or '[' or ']' or '{' or '}'),
        '?' => !flow && !(next is ' ' or '\t' or '\n' or '\0'),
        ':' => !(next is ' ' or '\t' or '\n' or '\0') && !(flow && next is ',' or '[' or ']' or '{' or '}'),
        ',' or '[' or ']' or '{' or '}' or '#' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`' => false,
        ' ' or '\t' or '\n' or '\0' => false,
        _ => true,
    };

    /// <summary>
    /// At a plain scalar that may start with ':'. YamlDotNet drops that ':' when, since its previous plain scalar, it
    /// has read a quoted scalar inside a flow collection or closed a flow collection (without opening another); and
    /// in flow context where no simple key may start (after a value's ':' or a property) any flow token seen makes
    /// it read the ':' as a value indicator. Such inputs are left to it; otherwise ":authority" is an ordinary scalar.
    /// </summary>
    /// <param name="keyMayStart">False in flow context after a value indicator or a property.</param>
    private void CheckLeadingColon(bool keyMayStart = true)
    {
        if (Cur != ':')
        {
            return;
        }

        var dropped = _flowQuotedSeen || (_flowClosedSeen && !_flowOpenedSeen);
        var indicator = !keyMayStart && (_flowQuotedSeen || _flowClosedSeen || _flowOpenedSeen);
        if (dropped || indicator)
        {
            GiveUp("a plain scalar starting with ':' that YamlDotNet would read otherwise");
        }
    }

    /// <summary>
    /// Reads the words of a plain scalar on the current line. Returns the index just past the last word; the cursor
    /// is left at what stopped the scan (the ':' of a key, '#', a flow indicator, or the line break).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ScanPlainLine(bool flow, out PlainStop stop)
    {
        // YamlDotNet's scanner forgets the flow tokens it has seen whenever it reads a plain scalar.
        _flowQuotedSeen = _flowClosedSeen = _flowOpenedSeen = false;
        var text = _text;
        var end = _end;
        var pos = _pos;
        var wordEnd = pos;
        while (true)
        {
            var wordStart = pos;

            // In a word starting with '*' YamlDotNet does not end the scalar at ': ' (it reads it as an alias).
            var aliasLike = pos < end && text[pos] == '*';
            while (pos < end)
            {
                var c = text[pos];
                if (c is ' ' or '\n')
                {
                    break;
                }

                if (c == ':')
                {
                    var next = pos + 1 < end ? text[pos + 1] : '\0';
                    if (next is ' ' or '\n' or '\0' || (flow && next == ','))
                    {
                        if (aliasLike)
                        {
                            GiveUp("': ' inside a word starting with '*'");
                        }

                        _pos = pos;
                        stop = PlainStop.Colon;
                        return pos > wordStart ? pos : wordEnd;
                    }

                    if (next == '\t')
                    {
                        GiveUp("a tab after ':'");
                    }
                }
                else if (c == '\t')
                {
                    GiveUp("a tab in a plain scalar");
                }
                else if (flow && c is ',' or '[' or ']' or '{' or '}')
                {
                    _pos = pos;
                    stop = PlainStop.FlowIndicator;
                    return pos > wordStart ? pos : wordEnd;
                }

                pos++;
            }

            wordEnd = pos;
            while (pos < end && text[pos] == ' ')
            {
                pos++;
            }

            _pos = pos;
            var after = pos < end ? text[pos] : '\0';
            switch (after)
            {
                case '\n' or '\0':
                    stop = PlainStop.LineEnd;
                    return wordEnd;
                case '#':
                    stop = PlainStop.Comment;
                    return wordEnd;
                case '\t':
                    GiveUp("a tab in a plain scalar");
                    break;
            }
        }
    }

    /// <summary>
    /// Completes a plain scalar whose first line ran from <paramref name="start"/> to <paramref name="end"/>,
    /// folding in continuation lines.
    /// </summary>
    /// <param name="atContent">
    /// True when the cursor was left at the next content (a less indented line, a document marker, or the end);
    /// false when it is at a comment or, in flow context, at what ended the scalar.
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string ReadPlainRest(int n, bool flow, int start, int end, PlainStop stop, out bool atContent)
    {
        if (stop != PlainStop.LineEnd || AtEnd)
        {
            atContent = AtEnd;
            return _scratch.Strings.Get(_text.AsSpan(start, end - start));
        }

        var buffer = _scratch.Chars;
        var folded = false;
        atContent = false;
        while (true)
        {
            // At the line break after the scalar's last line so far: take the breaks and indentation that follow.
            var breaks = 0;
            while (true)
            {
                var c = Cur;
                if (c == '\n')
                {
                    NewLine();
                    breaks++;
                }
                else if (c == ' ')
                {
                    _pos++;
                }
                else
                {
                    break;
                }
            }

            var first = Cur;
            if (first == '\0')
            {
                atContent = true;
                break;
            }

            if (first == '\t')
            {
                GiveUp("a tab in indentation");
            }

            if (_pos == _lineStart && (AtDocumentMarker() || first == '%'))
            {
                if (flow)
                {
                    GiveUp("a document marker inside a flow collection");
                }

                atContent = true;
                break;
            }

            if (first == '#')
            {
                break;
            }

            if (!flow && Col < n + 1)
            {
                atContent = true;
                break;
            }

            if (flow && first is ',' or '[' or ']' or '{' or '}')
            {
                break;
            }

            if (first == ':' && (IsBlank(Peek(1)) || Peek(1) is '\t' || (flow && Peek(1) == ',')))
            {
                GiveUp("a multi-line plain scalar followed by ':'");
            }

            if (flow && Col < n + 1)
            {
                // YamlDotNet throws on a flow scalar line at or left of the block indentation.
                GiveUp("a flow scalar line indented too little");
            }

            if (!folded)
            {
                buffer.Clear();
                buffer.Append(_text.AsSpan(start, end - start));
                folded = true;
            }

            if (breaks == 1)
            {
                buffer.Append(' ');
            }
            else
            {
                buffer.Append('\n', breaks - 1);
            }

            var lineStart = _pos;
            var lineEnd = ScanPlainLine(flow, out stop);
            buffer.Append(_text.AsSpan(lineStart, lineEnd - lineStart));
            if (stop == PlainStop.Colon)
            {
                GiveUp("a multi-line plain scalar followed by ':'");
            }

            if (stop != PlainStop.LineEnd || AtEnd)
            {
                atContent = AtEnd;
                break;
            }
        }

        return folded ? buffer.ToString() : _scratch.Strings.Get(_text.AsSpan(start, end - start));
    }
}
