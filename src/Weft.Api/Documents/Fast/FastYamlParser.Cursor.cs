using System.Runtime.CompilerServices;

namespace Weft.Api.Documents.Fast;

// Moving through the text: positions, line breaks, spaces and comments. Line breaks are LF only (CRLF was folded
// before parsing). Tabs are never skipped as separation: YamlDotNet accepts them in some places and not in others,
// so every place that would step over one gives up instead.
internal sealed partial class FastYamlParser
{
    private bool AtEnd => _pos >= _end;

    /// <summary>The current character, or NUL at the end (NUL cannot occur in accepted input).</summary>
    private char Cur => _pos < _end ? _text[_pos] : '\0';

    private int Col => _pos - _lineStart;

    private SourceLocation Here => new(_file, _line, _pos - _lineStart + 1);

    private char Peek(int offset)
    {
        var i = _pos + offset;
        return i < _end ? _text[i] : '\0';
    }

    /// <summary>Space, line break or end: what must follow most indicators.</summary>
    private static bool IsBlank(char c) => c is ' ' or '\n' or '\0';

    private void NewLine()
    {
        _pos++;
        _line++;
        _lineStart = _pos;
    }

    private void SkipSpaces()
    {
        while (_pos < _end && _text[_pos] == ' ')
        {
            _pos++;
        }

        if (_pos < _end && _text[_pos] == '\t')
        {
            GiveUp("a tab used as separation");
        }
    }

    /// <summary>At '#': moves to the line break (or end) that closes the comment.</summary>
    private void SkipComment()
    {
        var eol = _text.IndexOf('\n', _pos);
        _pos = eol < 0 ? _end : eol;
    }

    private bool CommentMayStartHere => _pos == _lineStart || _text[_pos - 1] == ' ';

    /// <summary>After a node that ended mid-line: the rest of the line may hold spaces and a comment only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FinishLine()
    {
        SkipSpaces();
        var c = Cur;
        if (c == '#')
        {
            if (!CommentMayStartHere)
            {
                GiveUp("'#' not separated from what precedes it");
            }

            SkipComment();
            c = Cur;
        }

        if (c == '\n')
        {
            NewLine();
        }
        else if (c != '\0')
        {
            GiveUp($"unexpected '{c}' after a node");
        }
    }

    /// <summary>Skips blank and comment-only lines, stopping at the next content character (or the end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SkipBlankLines()
    {
        while (true)
        {
            SkipSpaces();
            var c = Cur;
            if (c == '\n')
            {
                NewLine();
            }
            else if (c == '#')
            {
                SkipComment();
            }
            else
            {
                if (c == '%' && _pos == _lineStart)
                {
                    GiveUp("a directive");
                }

                return;
            }
        }
    }

    /// <summary>Ends the current line (which may hold only a comment) and moves to the next content.</summary>
    private void ToNextContent()
    {
        FinishLine();
        SkipBlankLines();
    }

    /// <summary>"---" or "..." at the start of a line followed by white space, a break or the end.</summary>
    private bool AtDocumentMarker()
    {
        if (_pos != _lineStart || _pos + 3 > _end)
        {
            return false;
        }

        var c = _text[_pos];
        return c is '-' or '.' && _text[_pos + 1] == c && _text[_pos + 2] == c && Peek(3) is ' ' or '\t' or '\n' or '\0';
    }

    /// <summary>Where a block collection at column <paramref name="indent"/> (0-based) ends.</summary>
    private bool AtBlockEnd(int indent) => _pos >= _end || Col < indent || AtDocumentMarker();

    private bool AtBlockEntry() => Cur == '-' && IsBlank(Peek(1));
}
