namespace Weft.Api.Documents.Fast;

// Anchors, aliases and tags. Only the plain forms are taken: "&name", "*name", "!!suffix", "!suffix" and "!".
// Verbatim tags, named handles, URI escapes and exotic anchor characters are left to YamlDotNet.
internal sealed partial class FastYamlParser
{
    /// <summary>Reads "&amp;anchor" and "!tag" (either order, at most one each) and the spaces after them.</summary>
    private Props ParseProperties()
    {
        var props = new Props { Start = Here };
        while (true)
        {
            var c = Cur;
            if (c == '&')
            {
                if (props.Anchor is not null)
                {
                    GiveUp("two anchors on one node");
                }

                _pos++;
                props.Anchor = ReadName().ToString();
            }
            else if (c == '!')
            {
                if (props.Tag != TagKind.None)
                {
                    GiveUp("two tags on one node");
                }

                props.Tag = ReadTag();
            }
            else
            {
                return props;
            }

            if (!IsBlank(Cur))
            {
                GiveUp("an unusual anchor or tag");
            }

            SkipSpaces();
        }
    }

    private ReadOnlySpan<char> ReadName()
    {
        var start = _pos;
        while (_pos < _end && IsNameChar(_text[_pos]))
        {
            _pos++;
        }

        if (_pos == start)
        {
            GiveUp("an empty or unusual anchor name");
        }

        return _text.AsSpan(start, _pos - start);
    }

    // A conservative subset of what YAML allows in anchor names; ':' in particular behaves differently in aliases.
    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/';

    private TagKind ReadTag()
    {
        _pos++;
        var c = Cur;
        if (c == '!')
        {
            _pos++;
            return ReadTagWord() switch
            {
                "" => GiveUpTag(),
                "str" or "binary" or "timestamp" => TagKind.String,
                "null" => TagKind.Null,
                "bool" => TagKind.Bool,
                "int" => TagKind.Int,
                "float" => TagKind.Float,
                _ => TagKind.Other,
            };
        }

        if (IsBlank(c))
        {
            return TagKind.Other;
        }

        if (ReadTagWord().IsEmpty || Cur == '!')
        {
            return GiveUpTag();
        }

        return TagKind.Other;
    }

    private static TagKind GiveUpTag()
    {
        GiveUp("an unusual tag");
        return default;
    }

    private ReadOnlySpan<char> ReadTagWord()
    {
        var start = _pos;
        while (_pos < _end && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '-' or '_'))
        {
            _pos++;
        }

        return _text.AsSpan(start, _pos - start);
    }

    /// <summary>"*name": the anchored node itself, shared, counted again at its full weight.</summary>
    private Built ParseAlias(bool flow)
    {
        _pos++;
        var name = ReadName();
        var c = Cur;
        if (!(IsBlank(c) || (flow && c is ',' or ']' or '}')))
        {
            GiveUp("an unusual alias");
        }

        Built built = default;
        if (_anchors is null || !_anchors.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out built))
        {
            GiveUp("an alias of an unknown anchor");
        }

        Count(built.Weight);
        return built;
    }

    /// <summary>How a tag bears on a scalar's kind: the yaml.org tags YamlReader knows, or nothing (Other).</summary>
    private enum TagKind : byte
    {
        None,
        Other,
        String,
        Null,
        Bool,
        Int,
        Float,
    }

    private struct Props
    {
        public SourceLocation Start;
        public string? Anchor;
        public TagKind Tag;

        public readonly bool Any => Anchor is not null || Tag != TagKind.None;
    }
}
