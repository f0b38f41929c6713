namespace Weft.Api.Documents;

/// <summary>
/// A node of a parsed YAML or JSON document: the untyped tree every later stage reads.
/// Nodes are immutable; an alias shares the node of its anchor.
/// </summary>
public abstract class Node
{
    private protected Node(SourceLocation location) => Location = location;

    public SourceLocation Location { get; }

    /// <summary>The JSON type name Kubernetes uses in messages: object, array, string, integer, number, boolean, null.</summary>
    public abstract string TypeName { get; }
}

public sealed class MapNode : Node
{
    private readonly MapEntry[] _entries;

    public MapNode(SourceLocation location, MapEntry[] entries) : base(location) => _entries = entries;

    public IReadOnlyList<MapEntry> Entries => _entries;

    public int Count => _entries.Length;

    public override string TypeName => "object";

    public Node? this[string key] => TryGet(key, out var value) ? value : null;

    public bool TryGet(string key, out Node value)
    {
        foreach (var entry in _entries)
        {
            if (entry.Key == key)
            {
                value = entry.Value;
                return true;
            }
        }

        value = null!;
        return false;
    }

    public bool ContainsKey(string key) => TryGet(key, out _);

    public MapEntry? Entry(string key)
    {
        foreach (var entry in _entries)
        {
            if (entry.Key == key)
            {
                return entry;
            }
        }

        return null;
    }
}

public readonly record struct MapEntry(string Key, SourceLocation KeyLocation, Node Value);

public sealed class ListNode : Node
{
    private readonly Node[] _items;

    public ListNode(SourceLocation location, Node[] items) : base(location) => _items = items;

    public IReadOnlyList<Node> Items => _items;

    public int Count => _items.Length;

    public override string TypeName => "array";
}

/// <summary>A scalar, already resolved the way Go's YAML decoder resolves it (YAML 1.2 core schema; quoted means string).</summary>
public sealed class ScalarNode : Node
{
    public ScalarNode(SourceLocation location, string text, ScalarKind kind) : base(location)
    {
        Text = text;
        Kind = kind;
    }

    /// <summary>The scalar as written, after YAML unescaping.</summary>
    public string Text { get; }

    public ScalarKind Kind { get; }

    public bool IsNull => Kind == ScalarKind.Null;

    public override string TypeName => Kind switch
    {
        ScalarKind.Null => "null",
        ScalarKind.Bool => "boolean",
        ScalarKind.Int => "integer",
        ScalarKind.Float => "number",
        _ => "string",
    };

    public bool AsBool() => Text is "true" or "True" or "TRUE";

    /// <summary>The integer value; only meaningful when <see cref="Kind"/> is <see cref="ScalarKind.Int"/>.</summary>
    public long AsLong() => ScalarResolver.ParseInt(Text);

    public double AsDouble() => Kind == ScalarKind.Int ? ScalarResolver.ParseInt(Text) : ScalarResolver.ParseFloat(Text);
}

public enum ScalarKind
{
    Null,
    Bool,
    Int,
    Float,
    String,
}
