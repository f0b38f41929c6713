using Weft.Api.Documents;

namespace Weft.Api.Model.Decoding;

/// <summary>
/// Lenient conversions from document nodes to model values, used by the generated decoders.
/// A value of the wrong shape decodes as null: schema validation has already reported it.
/// </summary>
internal static class NodeRead
{
    public static string? String(Node? node) => node is ScalarNode { IsNull: false } s ? s.Text : null;

    public static long? Long(Node? node) => node switch
    {
        ScalarNode { Kind: ScalarKind.Int } s => s.AsLong(),
        ScalarNode { Kind: ScalarKind.Float } s when s.AsDouble() is var d && d == Math.Floor(d) && Math.Abs(d) < 9.2e18 => (long)d,
        _ => null,
    };

    public static double? Double(Node? node) => node is ScalarNode { Kind: ScalarKind.Int or ScalarKind.Float } s ? s.AsDouble() : null;

    public static bool? Bool(Node? node) => node is ScalarNode { Kind: ScalarKind.Bool } s ? s.AsBool() : null;

    public static Node? Raw(Node? node) => node is ScalarNode { IsNull: true } ? null : node;

    public static IReadOnlyList<T>? List<T>(Node? node, Func<Node, T?> item)
        where T : class
    {
        if (node is not ListNode list)
        {
            return null;
        }

        var result = new List<T>(list.Count);
        foreach (var n in list.Items)
        {
            if (item(n) is { } value)
            {
                result.Add(value);
            }
        }

        return result;
    }

    public static IReadOnlyList<long>? LongList(Node? node) => ValueList(node, Long);

    public static IReadOnlyList<double>? DoubleList(Node? node) => ValueList(node, Double);

    public static IReadOnlyList<bool>? BoolList(Node? node) => ValueList(node, Bool);

    private static IReadOnlyList<T>? ValueList<T>(Node? node, Func<Node, T?> item)
        where T : struct
    {
        if (node is not ListNode list)
        {
            return null;
        }

        var result = new List<T>(list.Count);
        foreach (var n in list.Items)
        {
            if (item(n) is { } value)
            {
                result.Add(value);
            }
        }

        return result;
    }

    public static IReadOnlyDictionary<string, T>? Map<T>(Node? node, Func<Node, T?> value)
        where T : class
    {
        if (node is not MapNode map)
        {
            return null;
        }

        var result = new Dictionary<string, T>(map.Count, StringComparer.Ordinal);
        foreach (var entry in map.Entries)
        {
            if (value(entry.Value) is { } v)
            {
                result[entry.Key] = v;
            }
        }

        return result;
    }

    public static IReadOnlyDictionary<string, long>? LongMap(Node? node)
    {
        if (node is not MapNode map)
        {
            return null;
        }

        var result = new Dictionary<string, long>(map.Count, StringComparer.Ordinal);
        foreach (var entry in map.Entries)
        {
            if (Long(entry.Value) is { } v)
            {
                result[entry.Key] = v;
            }
        }

        return result;
    }

    public static T? Object<T>(Node? node, Func<MapNode, T> decode)
        where T : class => node is MapNode map ? decode(map) : null;
}
