using Weft.Api.Documents.Fast;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Weft.Api.Documents;

/// <summary>
/// Reads YAML 1.2 (and JSON, which it contains) into <see cref="Node"/> trees that remember file and line.
/// Scalars resolve as Go's decoder resolves them; duplicate keys are errors; merge keys (<c>&lt;&lt;</c>) are honoured;
/// depth, document size and alias expansion are bounded by <see cref="LoadLimits"/>.
/// </summary>
public static class YamlReader
{
    private const string YamlTagPrefix = "tag:yaml.org,2002:";

    public static IReadOnlyList<YamlDocument> Read(string text, string file, LoadLimits? limits = null)
    {
        limits ??= LoadLimits.Default;

        // The hand-written parser covers the YAML configuration files use and builds identical trees; for anything
        // else — including every error and broken limit — it declines, and YamlDotNet reads the input as before.
        return FastYamlParser.TryParse(text, file, limits) ?? ReadWithYamlDotNet(text, file, limits);
    }

    /// <summary>The reference path over YamlDotNet's event parser; the fast parser is tested against it.</summary>
    internal static IReadOnlyList<YamlDocument> ReadWithYamlDotNet(string text, string file, LoadLimits limits)
    {
        var documents = new List<YamlDocument>();
        var parser = new Parser(new Scanner(new StringReader(text), skipComments: true));
        var state = new ReadState(file, limits);
        try
        {
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out var start))
            {
                state.BeginDocument();
                Node? root = null;
                if (!parser.Accept<DocumentEnd>(out _))
                {
                    root = ReadNode(parser, state, depth: 1).Node;
                    if (root is ScalarNode { Kind: ScalarKind.Null, Text.Length: 0 })
                    {
                        root = null;
                    }
                }

                var end = parser.Consume<DocumentEnd>();
                var chars = end.End.Index - start.Start.Index;
                if (chars > limits.MaxDocumentChars)
                {
                    throw new YamlLoadException(state.At(start.Start), $"document is {chars} characters long, more than the limit of {limits.MaxDocumentChars}");
                }

                documents.Add(new YamlDocument(root, root?.Location ?? state.At(start.Start), documents.Count));
            }

            parser.Consume<StreamEnd>();
        }
        catch (YamlException e)
        {
            throw new YamlLoadException(state.At(e.Start), "invalid YAML: " + CleanMessage(e.Message), e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner fails this way on some malformed plain scalars.
            throw new YamlLoadException(state.LastLocation, "invalid YAML: malformed content after this point", e);
        }

        return documents;
    }

    private static string CleanMessage(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the location is reported separately.
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && cut > 0 ? message[(cut + 3)..] : message;
    }

    private readonly record struct Built(Node Node, long Weight);

    private sealed class ReadState(string file, LoadLimits limits)
    {
        private readonly Dictionary<string, Built> _anchors = new(StringComparer.Ordinal);
        private long _expanded;

        public LoadLimits Limits => limits;

        public void BeginDocument()
        {
            _anchors.Clear();
            _expanded = 0;
        }

        public SourceLocation At(Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

        public SourceLocation LastLocation { get; private set; } = new(file, 1, 1);

        public void Count(long weight, Mark mark)
        {
            LastLocation = At(mark);
            _expanded += weight;
            if (_expanded > limits.MaxExpandedNodes)
            {
                throw new YamlLoadException(At(mark), $"document expands to more than {limits.MaxExpandedNodes} nodes (alias expansion limit)");
            }
        }

        public void Anchor(AnchorName anchor, Built built)
        {
            if (!anchor.IsEmpty)
            {
                _anchors[anchor.Value] = built;
            }
        }

        public Built Alias(AnchorAlias alias)
        {
            if (!_anchors.TryGetValue(alias.Value.Value, out var built))
            {
                throw new YamlLoadException(At(alias.Start), $"unknown anchor '{alias.Value.Value}' referenced");
            }

            Count(built.Weight, alias.Start);
            return built;
        }
    }

    private static Built ReadNode(IParser parser, ReadState state, int depth)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return state.Alias(alias);
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var node = new ScalarNode(state.At(scalar.Start), scalar.Value, KindOf(scalar, state));
            state.Count(1, scalar.Start);
            var built = new Built(node, 1);
            state.Anchor(scalar.Anchor, built);
            return built;
        }

        if (depth > state.Limits.MaxDepth)
        {
            throw new YamlLoadException(state.At(parser.Current!.Start), $"nesting deeper than the limit of {state.Limits.MaxDepth} levels");
        }

        if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var items = new List<Node>();
            long weight = 1;
            state.Count(1, seqStart.Start);
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                var item = ReadNode(parser, state, depth + 1);
                items.Add(item.Node);
                weight += item.Weight;
            }

            var built = new Built(new ListNode(state.At(seqStart.Start), [.. items]), weight);
            state.Anchor(seqStart.Anchor, built);
            return built;
        }

        if (parser.TryConsume<MappingStart>(out var mapStart))
        {
            var entries = new List<MapEntry>();
            var merged = new List<MapEntry>();
            long weight = 1;
            state.Count(1, mapStart.Start);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyEvent = parser.Current!;
                var key = ReadNode(parser, state, depth + 1);
                if (key.Node is not ScalarNode keyScalar)
                {
                    throw new YamlLoadException(state.At(keyEvent.Start), "a mapping key must be a scalar");
                }

                var value = ReadNode(parser, state, depth + 1);
                weight += key.Weight + value.Weight;
                if (keyScalar.Text == "<<" && keyScalar.Kind == ScalarKind.String && keyEvent is Scalar { Style: ScalarStyle.Plain })
                {
                    CollectMerge(value.Node, merged, state);
                    continue;
                }

                foreach (var existing in entries)
                {
                    if (existing.Key == keyScalar.Text)
                    {
                        throw new YamlLoadException(keyScalar.Location, $"mapping key \"{keyScalar.Text}\" already defined at line {existing.KeyLocation.Line}");
                    }
                }

                entries.Add(new MapEntry(keyScalar.Text, keyScalar.Location, value.Node));
            }

            foreach (var entry in merged)
            {
                if (!entries.Exists(e => e.Key == entry.Key))
                {
                    entries.Add(entry);
                }
            }

            var built = new Built(new MapNode(state.At(mapStart.Start), [.. entries]), weight);
            state.Anchor(mapStart.Anchor, built);
            return built;
        }

        var unexpected = parser.Current!;
        throw new YamlLoadException(state.At(unexpected.Start), $"unexpected {unexpected.GetType().Name}");
    }

    private static void CollectMerge(Node value, List<MapEntry> merged, ReadState state)
    {
        switch (value)
        {
            case MapNode map:
                foreach (var entry in map.Entries)
                {
                    if (!merged.Exists(e => e.Key == entry.Key))
                    {
                        merged.Add(entry);
                    }
                }

                break;
            case ListNode list:
                foreach (var item in list.Items)
                {
                    if (item is not MapNode)
                    {
                        throw new YamlLoadException(item.Location, "map merge requires a mapping or a list of mappings");
                    }

                    CollectMerge(item, merged, state);
                }

                break;
            default:
                throw new YamlLoadException(value.Location, "map merge requires a mapping or a list of mappings");
        }
    }

    private static ScalarKind KindOf(Scalar scalar, ReadState state)
    {
        if (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific)
        {
            var tag = scalar.Tag.Value;
            if (tag.StartsWith(YamlTagPrefix, StringComparison.Ordinal))
            {
                var kind = tag[YamlTagPrefix.Length..] switch
                {
                    "str" or "binary" or "timestamp" => ScalarKind.String,
                    "null" => ScalarKind.Null,
                    "bool" => ScalarKind.Bool,
                    "int" => ScalarKind.Int,
                    "float" => ScalarKind.Float,
                    _ => (ScalarKind?)null,
                };
                if (kind is { } k)
                {
                    if (k != ScalarKind.String && ScalarResolver.Resolve(scalar.Value) != k && !(k == ScalarKind.Float && ScalarResolver.Resolve(scalar.Value) == ScalarKind.Int))
                    {
                        throw new YamlLoadException(state.At(scalar.Start), $"cannot decode \"{scalar.Value}\" as {tag}");
                    }

                    return k;
                }
            }
        }

        return scalar.Style == ScalarStyle.Plain ? ScalarResolver.Resolve(scalar.Value) : ScalarKind.String;
    }
}
