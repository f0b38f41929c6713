using System.Runtime.CompilerServices;

namespace Weft.Api.Documents.Fast;

// Block structure: mappings, sequences and the nodes they hold. Every function here returns with the cursor at the
// next content character on a later line (or at the end), so collections only compare columns.
//
// "n" is always the column (0-based) of the innermost enclosing block collection, -1 at document level: the
// indentation YamlDotNet's scanner holds while it reads the node, which decides how far plain, quoted and block
// scalars may continue.
internal sealed partial class FastYamlParser
{
    /// <summary>Parses the node whose first character is at the cursor.</summary>
    /// <param name="props">Anchor and tag already read on an earlier line ("key: &amp;a" then the node below).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Built ParseBlockNode(int n, int depth, Placement placement, Props props)
    {
        var c = Cur;
        if (c is '&' or '!')
        {
            if (props.Any)
            {
                GiveUp("a node with two sets of properties");
            }

            props = ParseProperties();
            c = Cur;
            if (c is '\n' or '\0' or '#')
            {
                GiveUp("properties on a line of their own");
            }
        }

        // Properties on the line of a key belong to the key in YAML; keys with properties are left to YamlDotNet.
        var propsOnThisLine = props.Any && props.Start.Line == _line;
        switch (c)
        {
            case '-' when IsBlank(Peek(1)):
                if (placement == Placement.MapValue || propsOnThisLine)
                {
                    GiveUp("a block sequence where one cannot start");
                }

                return ParseBlockSequence(Col, depth, props, indentless: false);
            case '[' or '{':
            {
                var flow = c == '[' ? ParseFlowSequence(n, depth, props) : ParseFlowMapping(n, depth, props);
                SkipSpaces();
                if (Cur == ':')
                {
                    GiveUp("a flow collection as a mapping key");
                }

                ToNextContent();
                return flow;
            }

            case '"' or '\'':
                return ParseQuotedInBlock(n, depth, placement, props, propsOnThisLine);
            case '|' or '>':
                return ParseBlockScalar(n, props);
            case '*':
            {
                if (props.Any)
                {
                    GiveUp("properties on an alias");
                }

                var alias = ParseAlias(flow: false);

                // An alias used as a key leaves a ':' here, which this refuses.
                ToNextContent();
                return alias;
            }

            default:
                return ParsePlainInBlock(n, depth, placement, props, propsOnThisLine);
        }
    }

    private Built ParseQuotedInBlock(int n, int depth, Placement placement, Props props, bool propsOnThisLine)
    {
        var location = Here;
        var start = _pos;
        var line = _line;
        var text = ScanQuoted(n);
        var singleLine = _line == line;
        SkipSpaces();
        if (Cur == ':' && IsBlank(Peek(1)))
        {
            if (!singleLine || placement == Placement.MapValue || propsOnThisLine || _pos - start > MaxKeySpan)
            {
                GiveUp("a quoted key YamlDotNet would not take as a simple key here");
            }

            return ParseBlockMapping(location.Column - 1, depth, props, new KeyToken(text, location, IsMerge: false));
        }

        var scalar = Scalar(props, location, text, plain: false);
        ToNextContent();
        return scalar;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Built ParsePlainInBlock(int n, int depth, Placement placement, Props props, bool propsOnThisLine)
    {
        if (!CanStartPlain(Cur, Peek(1), flow: false))
        {
            GiveUp($"'{Cur}' where a node was expected");
        }

        CheckLeadingColon();
        var location = Here;
        var start = _pos;
        var end = ScanPlainLine(flow: false, out var stop);
        if (stop == PlainStop.Colon)
        {
            if (placement == Placement.MapValue || propsOnThisLine || _pos - start > MaxKeySpan)
            {
                GiveUp("a mapping key where one cannot start");
            }

            var key = _scratch.Strings.Get(_text.AsSpan(start, end - start));
            return ParseBlockMapping(location.Column - 1, depth, props, new KeyToken(key, location, key == "<<"));
        }

        var text = ReadPlainRest(n, flow: false, start, end, stop, out var atContent);
        var scalar = Scalar(props, location, text, plain: true);
        if (!atContent)
        {
            ToNextContent();
        }

        return scalar;
    }

    /// <summary>A block mapping whose first key has been read; the cursor is at that key's ':'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Built ParseBlockMapping(int indent, int depth, Props props, KeyToken first)
    {
        EnterCollection(depth);
        var location = props.Any ? props.Start : first.Location;
        var map = BeginMap();
        long weight = 1;
        var key = first;
        while (true)
        {
            Count(1);
            _pos++;
            var value = ParseValueAfterIndicator(indent, depth + 1, Here, isMapValue: true);
            weight += 1 + value.Weight;
            AddEntry(ref map, key, value.Node);
            if (AtBlockEnd(indent))
            {
                break;
            }

            if (Col > indent)
            {
                GiveUp("content indented past a mapping's keys that is not a value");
            }

            key = ParseKeyAt();
        }

        return Finish(new MapNode(location, EndMap(ref map)), weight, props);
    }

    /// <summary>A key at the start of a mapping line; returns with the cursor at its ':'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private KeyToken ParseKeyAt()
    {
        var location = Here;
        var start = _pos;
        var c = Cur;
        KeyToken key;
        if (c is '"' or '\'')
        {
            // Any line break inside the key fails the indentation check of int.MaxValue: keys are single-line.
            var text = ScanQuoted(int.MaxValue);
            SkipSpaces();
            if (!(Cur == ':' && IsBlank(Peek(1))))
            {
                GiveUp("a mapping line without a key");
            }

            key = new KeyToken(text, location, IsMerge: false);
        }
        else
        {
            if (!CanStartPlain(c, Peek(1), flow: false))
            {
                GiveUp($"'{c}' where a mapping key was expected");
            }

            CheckLeadingColon();
            var end = ScanPlainLine(flow: false, out var stop);
            if (stop != PlainStop.Colon)
            {
                GiveUp("a mapping line without a key");
            }

            var text = _scratch.Strings.Get(_text.AsSpan(start, end - start));
            key = new KeyToken(text, location, text == "<<");
        }

        if (_pos - start > MaxKeySpan)
        {
            GiveUp("a very long key");
        }

        return key;
    }

    /// <summary>A block sequence; the cursor is at its first '-'.</summary>
    /// <param name="indentless">It sits at its parent key's column ("key:" then "- a" below it) and ends at a line that is no entry.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Built ParseBlockSequence(int indent, int depth, Props props, bool indentless)
    {
        EnterCollection(depth);
        var location = props.Any ? props.Start : Here;
        var list = BeginList();
        long weight = 1;
        while (true)
        {
            _pos++;
            var item = ParseValueAfterIndicator(indent, depth + 1, Here, isMapValue: false);
            weight += item.Weight;
            PushItem(item.Node);
            if (AtBlockEnd(indent))
            {
                break;
            }

            if (Col > indent)
            {
                GiveUp("content indented past a sequence's entries that is not an entry's value");
            }

            if (!AtBlockEntry())
            {
                if (indentless)
                {
                    break;
                }

                GiveUp("a sequence line that is not an entry");
            }
        }

        return Finish(new ListNode(location, EndList(list)), weight, props);
    }

    /// <summary>The value after a key's ':' or an entry's '-'; the cursor is just past the indicator.</summary>
    /// <param name="n">The column of the mapping or sequence the indicator belongs to.</param>
    /// <param name="empty">Where YamlDotNet places an empty value: right after the indicator.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Built ParseValueAfterIndicator(int n, int depth, SourceLocation empty, bool isMapValue)
    {
        SkipSpaces();
        var props = Cur is '&' or '!' ? ParseProperties() : default;
        if (Cur is '\n' or '\0' or '#')
        {
            ToNextContent();
            if (AtEnd || AtDocumentMarker())
            {
                return Empty(props, empty);
            }

            var col = Col;
            if (col > n)
            {
                return ParseBlockNode(n, depth, Placement.Fresh, props);
            }

            if (isMapValue && col == n && AtBlockEntry())
            {
                return ParseBlockSequence(col, depth, props, indentless: true);
            }

            return Empty(props, empty);
        }

        return ParseBlockNode(n, depth, isMapValue ? Placement.MapValue : Placement.SeqEntry, props);
    }

    private Built Empty(Props props, SourceLocation location) => Scalar(props, location, string.Empty, plain: true);

    /// <summary>A mapping key as read: its text, where it starts, and whether it is the merge key "&lt;&lt;".</summary>
    private readonly record struct KeyToken(string Text, SourceLocation Location, bool IsMerge);
}
