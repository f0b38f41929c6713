namespace Weft.Api.Documents.Fast;

// Flow collections — "[a, b]", "{a: 1}" and JSON — nested and spanning lines. Flow context does not change the block
// indentation "n", which still bounds how far left flow scalars may continue. Single-pair mappings inside sequences
// ("[a: 1]"), keys without values ("{a, b}"), complex keys and empty entries are left to YamlDotNet.
internal sealed partial class FastYamlParser
{
    /// <param name="afterColon">The node is a flow mapping's value, after its ':'.</param>
    private Built ParseFlowNode(int n, int depth, bool afterColon)
    {
        var props = default(Props);
        if (Cur is '&' or '!')
        {
            props = ParseProperties();
            SkipFlowSpace();
            if (Cur is ',' or ']' or '}')
            {
                GiveUp("an empty node with properties in a flow collection");
            }
        }

        var c = Cur;
        switch (c)
        {
            case '[':
                return ParseFlowSequence(n, depth, props);
            case '{':
                return ParseFlowMapping(n, depth, props);
            case '"' or '\'':
            {
                var location = Here;
                return Scalar(props, location, ScanQuoted(n), plain: false);
            }

            case '*':
                if (props.Any)
                {
                    GiveUp("properties on an alias");
                }

                return ParseAlias(flow: true);
            default:
            {
                var location = Here;
                var start = _pos;
                var end = ScanFlowPlainStart(n, keyMayStart: !afterColon && !props.Any, out var stop);
                var text = ReadPlainRest(n, flow: true, start, end, stop, out _);
                return Scalar(props, location, text, plain: true);
            }
        }
    }

    /// <summary>Checks where a flow plain scalar may start and reads its first line.</summary>
    private int ScanFlowPlainStart(int n, bool keyMayStart, out PlainStop stop)
    {
        if (!CanStartPlain(Cur, Peek(1), flow: true))
        {
            GiveUp($"'{Cur}' where a flow node was expected");
        }

        CheckLeadingColon(keyMayStart);
        if (Col < n + 1)
        {
            // YamlDotNet throws on a flow plain scalar at or left of the block indentation.
            GiveUp("a flow scalar indented too little");
        }

        return ScanPlainLine(flow: true, out stop);
    }

    private Built ParseFlowSequence(int n, int depth, Props props)
    {
        EnterCollection(depth);
        var location = props.Any ? props.Start : Here;
        var list = BeginList();
        long weight = 1;
        OpenFlow();
        while (Cur != ']')
        {
            var item = ParseFlowNode(n, depth + 1, afterColon: false);
            weight += item.Weight;
            PushItem(item.Node);
            SkipFlowSpace();
            if (!FlowSeparator(']'))
            {
                break;
            }
        }

        CloseFlow();
        return Finish(new ListNode(location, EndList(list)), weight, props);
    }

    private Built ParseFlowMapping(int n, int depth, Props props)
    {
        EnterCollection(depth);
        var location = props.Any ? props.Start : Here;
        var map = BeginMap();
        long weight = 1;
        OpenFlow();
        while (Cur != '}')
        {
            var key = ParseFlowKey(n);
            Count(1);
            _pos++;
            SkipFlowSpace();

            // An empty value sits where YamlDotNet finds the token after the ':'.
            var value = Cur is ',' or '}' ? Empty(default, Here) : ParseFlowNode(n, depth + 1, afterColon: true);
            weight += 1 + value.Weight;
            AddEntry(ref map, key, value.Node);
            SkipFlowSpace();
            if (!FlowSeparator('}'))
            {
                break;
            }
        }

        CloseFlow();
        return Finish(new MapNode(location, EndMap(ref map)), weight, props);
    }

    private void OpenFlow()
    {
        _pos++;
        _flowLevel++;
        _flowOpenedSeen = true;
        SkipFlowSpace();
    }

    private void CloseFlow()
    {
        _pos++;
        _flowLevel--;
        _flowClosedSeen = true;
    }

    /// <summary>After an entry: ',' (then more entries or the end) or the closing bracket, which is left in place.</summary>
    /// <returns>Whether more entries follow.</returns>
    private bool FlowSeparator(char close)
    {
        var c = Cur;
        if (c == close)
        {
            return false;
        }

        if (c != ',')
        {
            GiveUp(c == ':' ? "a mapping entry where a flow sequence item was expected" : $"'{c}' in a flow collection");
        }

        _pos++;
        SkipFlowSpace();
        if (Cur == ',')
        {
            GiveUp("an empty flow entry");
        }

        return Cur != close;
    }

    /// <summary>A scalar key on one line followed by ':'; returns with the cursor at the ':'.</summary>
    private KeyToken ParseFlowKey(int n)
    {
        var location = Here;
        var c = Cur;
        if (c is '"' or '\'')
        {
            var text = ScanQuoted(int.MaxValue);
            SkipSpaces();
            if (Cur != ':')
            {
                GiveUp("a flow mapping key without ':'");
            }

            // After a quoted key YamlDotNet takes ':' as the value indicator even with no space after it (JSON).
            return new KeyToken(text, location, IsMerge: false);
        }

        var start = _pos;
        var end = ScanFlowPlainStart(n, keyMayStart: true, out var stop);
        if (stop != PlainStop.Colon || !(Peek(1) is ' ' or '\n'))
        {
            GiveUp("a flow mapping key without ': '");
        }

        var key = _scratch.Strings.Get(_text.AsSpan(start, end - start));
        return new KeyToken(key, location, key == "<<");
    }

    /// <summary>Spaces, line breaks and comments between flow tokens.</summary>
    private void SkipFlowSpace()
    {
        while (true)
        {
            var c = Cur;
            if (c == ' ')
            {
                _pos++;
            }
            else if (c == '\n')
            {
                NewLine();
                if (AtDocumentMarker() || Cur == '%')
                {
                    GiveUp("a document marker or directive inside a flow collection");
                }
            }
            else if (c == '#')
            {
                if (!CommentMayStartHere)
                {
                    GiveUp("'#' not separated from what precedes it");
                }

                SkipComment();
            }
            else if (c == '\t')
            {
                GiveUp("a tab in a flow collection");
            }
            else if (c == '\0')
            {
                GiveUp("an unterminated flow collection");
            }
            else
            {
                return;
            }
        }
    }
}
