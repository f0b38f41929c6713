using System.Globalization;
using Weft.Api.Documents;

namespace Weft.Api.Tests.Documents;

/// <summary>
/// Compares two readings of the same YAML node by node: node types, scalar texts and kinds, every location and key
/// location, and which nodes are shared (an alias is the very node of its anchor).
/// </summary>
internal static class TreeComparison
{
    /// <summary>The first difference as "path: what", or null when the readings are the same.</summary>
    public static string? FirstDifference(IReadOnlyList<YamlDocument> expected, IReadOnlyList<YamlDocument> actual)
    {
        if (expected.Count != actual.Count)
        {
            return $"document count: expected {expected.Count}, got {actual.Count}";
        }

        var pairs = new Pairs();
        for (var i = 0; i < expected.Count; i++)
        {
            var path = "doc" + i.ToString(CultureInfo.InvariantCulture);
            var e = expected[i];
            var a = actual[i];
            var difference = e.Index != a.Index ? $"{path}: index {e.Index} vs {a.Index}"
                : Location(path, e.Location, a.Location) ?? Compare(path, e.Root, a.Root, pairs);
            if (difference is not null)
            {
                return difference;
            }
        }

        return null;
    }

    private static string? Compare(string path, Node? expected, Node? actual, Pairs pairs)
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : $"{path}: expected {Describe(expected)}, got {Describe(actual)}";
        }

        // Sharing must match both ways: a node seen before pairs with the same partner.
        if (pairs.ByActual.TryGetValue(actual, out var partner))
        {
            return ReferenceEquals(partner, expected) ? null : $"{path}: shares a node the reference does not share";
        }

        if (pairs.ByExpected.ContainsKey(expected))
        {
            return $"{path}: the reference shares this node, the reading does not";
        }

        pairs.ByActual[actual] = expected;
        pairs.ByExpected[expected] = actual;
        if (expected.GetType() != actual.GetType())
        {
            return $"{path}: expected {Describe(expected)}, got {Describe(actual)}";
        }

        if (Location(path, expected.Location, actual.Location) is { } moved)
        {
            return moved;
        }

        switch (expected)
        {
            case ScalarNode es:
            {
                var s = (ScalarNode)actual;
                return es.Text != s.Text ? $"{path}: text {Quote(es.Text)} vs {Quote(s.Text)}"
                    : es.Kind != s.Kind ? $"{path}: kind {es.Kind} vs {s.Kind} for {Quote(es.Text)}"
                    : null;
            }

            case ListNode el:
            {
                var l = (ListNode)actual;
                if (el.Count != l.Count)
                {
                    return $"{path}: {el.Count} items vs {l.Count}";
                }

                for (var i = 0; i < el.Count; i++)
                {
                    if (Compare($"{path}[{i}]", el.Items[i], l.Items[i], pairs) is { } difference)
                    {
                        return difference;
                    }
                }

                return null;
            }

            default:
            {
                var em = (MapNode)expected;
                var m = (MapNode)actual;
                if (em.Count != m.Count)
                {
                    return $"{path}: keys [{string.Join(", ", em.Entries.Select(e => e.Key))}] vs [{string.Join(", ", m.Entries.Select(e => e.Key))}]";
                }

                for (var i = 0; i < em.Count; i++)
                {
                    var ee = em.Entries[i];
                    var ae = m.Entries[i];
                    var keyPath = $"{path}.{ee.Key}";
                    var difference = ee.Key != ae.Key ? $"{path}: key #{i} {Quote(ee.Key)} vs {Quote(ae.Key)}"
                        : Location(keyPath + " (key)", ee.KeyLocation, ae.KeyLocation) ?? Compare(keyPath, ee.Value, ae.Value, pairs);
                    if (difference is not null)
                    {
                        return difference;
                    }
                }

                return null;
            }
        }
    }

    private static string? Location(string path, SourceLocation expected, SourceLocation actual) =>
        expected == actual ? null : $"{path}: at {Format(expected)} vs {Format(actual)}";

    private static string Format(SourceLocation l) => string.Create(CultureInfo.InvariantCulture, $"{l.File}:{l.Line}:{l.Column}");

    private static string Describe(Node? node) => node switch
    {
        null => "nothing",
        ScalarNode s => $"scalar {Quote(s.Text)}",
        ListNode => "a sequence",
        _ => "a mapping",
    };

    private sealed class Pairs
    {
        public Dictionary<Node, Node> ByActual { get; } = new(ReferenceEqualityComparer.Instance);

        public Dictionary<Node, Node> ByExpected { get; } = new(ReferenceEqualityComparer.Instance);
    }

    public static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
            .Replace("\r", "\\r", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
