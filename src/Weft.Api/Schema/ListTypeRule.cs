using System.Globalization;
using System.Text;
using Weft.Api.Documents;

namespace Weft.Api.Schema;

/// <summary>
/// x-kubernetes-list-type set and map: items (sets) or the key fields of items (maps) must be unique. Only the
/// second occurrence of a value is reported, as the API server does, at its index.
/// </summary>
internal static class ListTypeRule
{
    public static void Check(OpenApiWalker walker, SchemaNode schema, ListNode list)
    {
        if (schema.ListType == "map")
        {
            CheckMap(walker, schema.ListMapKeys ?? [], list);
        }
        else if (list.Count > 1)
        {
            var seen = new Dictionary<string, int>(list.Count, StringComparer.Ordinal);
            for (var i = 0; i < list.Count; i++)
            {
                var item = list.Items[i];
                if (Count(seen, Identity(item)) == 2)
                {
                    Report(walker, i, ApiErrors.Duplicate(ApiValueText.BadValue(JsonValue.Of(item))), item);
                }
            }
        }
    }

    private static void CheckMap(OpenApiWalker walker, IReadOnlyList<string> keys, ListNode list)
    {
        for (var i = 0; i < list.Count; i++)
        {
            var item = list.Items[i];
            if (item is not MapNode && !(item is ScalarNode { IsNull: true }))
            {
                Report(walker, i, ApiErrors.Invalid(ApiValueText.BadValue(JsonValue.Of(item)), "must be an object for an array of list-type map"), item);
                return;
            }
        }

        if (list.Count <= 1)
        {
            return;
        }

        var seen = new Dictionary<string, int>(list.Count, StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var item = list.Items[i] as MapNode;
            var (identity, shown) = keys.Count == 1 ? SingleKey(item, keys[0]) : MultiKey(item, keys);
            if (Count(seen, identity) == 2)
            {
                Report(walker, i, ApiErrors.Duplicate(shown), list.Items[i]);
            }
        }
    }

    // With one key field the API server compares the key values themselves; a missing key is its own value.
    private static (string Identity, string Shown) SingleKey(MapNode? item, string key)
    {
        if (item is null || !item.TryGet(key, out var value))
        {
            return ("missing", "{}");
        }

        var sb = new StringBuilder("{");
        ApiValueText.AppendJsonString(sb, key);
        sb.Append(':');
        ApiValueText.AppendJson(sb, value);
        return (Identity(value), sb.Append('}').ToString());
    }

    // With several key fields it compares the objects made of the key fields present.
    private static (string Identity, string Shown) MultiKey(MapNode? item, IReadOnlyList<string> keys)
    {
        var present = new List<MapEntry>();
        if (item is not null)
        {
            foreach (var key in keys)
            {
                if (item.Entry(key) is { } entry)
                {
                    present.Add(entry);
                }
            }
        }

        var json = ApiValueText.Json(new MapNode(item?.Location ?? SourceLocation.None, [.. present]));
        return ("j:" + json, json);
    }

    // Go compares scalars as typed values and compound values by their JSON text.
    private static string Identity(Node node)
    {
        var value = JsonValue.Of(node);
        return value.Kind switch
        {
            JsonKind.Null => "n",
            JsonKind.Boolean => ((ScalarNode)node).AsBool() ? "b:true" : "b:false",
            JsonKind.Integer => "i:" + value.Integer.ToString(CultureInfo.InvariantCulture),
            JsonKind.Number => "d:" + BitConverter.DoubleToInt64Bits(value.Number).ToString(CultureInfo.InvariantCulture),
            JsonKind.String => "s:" + value.Text,
            _ => "j:" + ApiValueText.Json(node),
        };
    }

    private static int Count(Dictionary<string, int> seen, string identity)
    {
        seen.TryGetValue(identity, out var n);
        seen[identity] = ++n;
        return n;
    }

    private static void Report(OpenApiWalker walker, int index, string message, Node at)
    {
        walker.Path.PushIndex(index);
        ValidationRun.Report(walker.Run.ListTypes, walker.Path.Subscripted(), message, at.Location);
        walker.Path.Pop();
    }
}
