using System.Runtime.CompilerServices;

namespace Weft.Api.Documents.Fast;

// Building nodes the way YamlReader's YamlDotNet path builds them: the same counting against the expansion limit,
// the same anchor bookkeeping, the same merge-key and duplicate-key rules. Where that path throws, this gives up.
internal sealed partial class FastYamlParser
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Built Scalar(Props props, SourceLocation location, string text, bool plain)
    {
        var node = new ScalarNode(props.Any ? props.Start : location, text, KindOf(props.Tag, text, plain));
        Count(1);
        return Finish(node, 1, props);
    }

    private Built Finish(Node node, long weight, Props props)
    {
        var built = new Built(node, weight);
        if (props.Anchor is { } anchor)
        {
            (_anchors ??= new Dictionary<string, Built>(StringComparer.Ordinal))[anchor] = built;
        }

        return built;
    }

    /// <summary>As YamlReader resolves a scalar: a known yaml.org tag decides (and must fit), else the style does.</summary>
    private static ScalarKind KindOf(TagKind tag, string text, bool plain)
    {
        ScalarKind kind;
        switch (tag)
        {
            case TagKind.String:
                return ScalarKind.String;
            case TagKind.Null:
                kind = ScalarKind.Null;
                break;
            case TagKind.Bool:
                kind = ScalarKind.Bool;
                break;
            case TagKind.Int:
                kind = ScalarKind.Int;
                break;
            case TagKind.Float:
                kind = ScalarKind.Float;
                break;
            default:
                return plain ? ScalarResolver.Resolve(text) : ScalarKind.String;
        }

        var resolved = ScalarResolver.Resolve(text);
        if (resolved != kind && !(kind == ScalarKind.Float && resolved == ScalarKind.Int))
        {
            GiveUp("a scalar that does not fit its tag");
        }

        return kind;
    }

    private MapBuilder BeginMap() => new() { Base = _scratch.EntryTop };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddEntry(ref MapBuilder map, KeyToken key, Node value)
    {
        if (key.IsMerge)
        {
            CollectMerge(value, map.Merged ??= []);
            return;
        }

        var entries = _scratch.Entries;
        if (map.Keys is { } keys)
        {
            if (!keys.Add(key.Text))
            {
                GiveUp("a duplicate key");
            }
        }
        else
        {
            for (var i = map.Base; i < _scratch.EntryTop; i++)
            {
                if (entries[i].Key == key.Text)
                {
                    GiveUp("a duplicate key");
                }
            }

            // Large mappings (ConfigMap data, label sets) switch to a set so the check stays linear.
            if (_scratch.EntryTop - map.Base >= 16)
            {
                keys = new HashSet<string>(StringComparer.Ordinal);
                for (var i = map.Base; i < _scratch.EntryTop; i++)
                {
                    keys.Add(entries[i].Key);
                }

                keys.Add(key.Text);
                map.Keys = keys;
            }
        }

        _scratch.PushEntry(new MapEntry(key.Text, key.Location, value));
    }

    /// <summary>Copies the entries of merged mappings that are not yet collected, first one winning.</summary>
    private static void CollectMerge(Node value, List<MapEntry> merged)
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
                        GiveUp("a merge of something other than mappings");
                    }

                    CollectMerge(item, merged);
                }

                break;
            default:
                GiveUp("a merge of something other than mappings");
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private MapEntry[] EndMap(ref MapBuilder map)
    {
        if (map.Merged is { } merged)
        {
            foreach (var entry in merged)
            {
                if (!ContainsKey(map.Base, entry.Key))
                {
                    _scratch.PushEntry(entry);
                }
            }
        }

        var count = _scratch.EntryTop - map.Base;
        var result = count == 0 ? [] : _scratch.Entries.AsSpan(map.Base, count).ToArray();
        _scratch.EntryTop = map.Base;
        return result;
    }

    private bool ContainsKey(int from, string key)
    {
        for (var i = from; i < _scratch.EntryTop; i++)
        {
            if (_scratch.Entries[i].Key == key)
            {
                return true;
            }
        }

        return false;
    }

    private int BeginList() => _scratch.ItemTop;

    private void PushItem(Node node) => _scratch.PushItem(node);

    private Node[] EndList(int from)
    {
        var count = _scratch.ItemTop - from;
        var result = count == 0 ? [] : _scratch.Items.AsSpan(from, count).ToArray();
        _scratch.ItemTop = from;
        return result;
    }

    /// <summary>A mapping under construction: where its entries start on the shared stack, and its merge material.</summary>
    private struct MapBuilder
    {
        public int Base;
        public List<MapEntry>? Merged;
        public HashSet<string>? Keys;
    }
}
