using System.Globalization;
using System.Text;
using Weft.Api.Documents;
using Weft.Api.GoCompat;

namespace Weft.Api.Schema;

/// <summary>
/// Renders decoded values the way the API server's messages embed them (<c>%q</c> strings, <c>%v</c> numbers,
/// encoding/json objects), because users compare our text with kubectl's.
/// </summary>
internal static class ApiValueText
{
    /// <summary>encoding/json of a string: HTML-sensitive characters escaped as Go does by default.</summary>
    public static void AppendJsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (c < ' ')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>json.Marshal of the decoded value of <paramref name="node"/>: object keys sorted, numbers as decoded.</summary>
    public static string Json(Node node)
    {
        var sb = new StringBuilder();
        AppendJson(sb, node);
        return sb.ToString();
    }

    public static void AppendJson(StringBuilder sb, Node node)
    {
        switch (node)
        {
            case MapNode map:
                var entries = new MapEntry[map.Count];
                for (var i = 0; i < entries.Length; i++)
                {
                    entries[i] = map.Entries[i];
                }

                Array.Sort(entries, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
                sb.Append('{');
                for (var i = 0; i < entries.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    AppendJsonString(sb, entries[i].Key);
                    sb.Append(':');
                    AppendJson(sb, entries[i].Value);
                }

                sb.Append('}');
                return;
            case ListNode list:
                sb.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    AppendJson(sb, list.Items[i]);
                }

                sb.Append(']');
                return;
        }

        var value = JsonValue.Of(node);
        switch (value.Kind)
        {
            case JsonKind.Null: sb.Append("null"); break;
            case JsonKind.Boolean: sb.Append(((ScalarNode)node).AsBool() ? "true" : "false"); break;
            case JsonKind.Integer: sb.Append(value.Integer.ToString(CultureInfo.InvariantCulture)); break;
            case JsonKind.Number: sb.Append(GoFloatFormat.FormatJson(value.Number)); break;
            default: AppendJsonString(sb, value.Text); break;
        }
    }

    /// <summary>
    /// The API server's rendering of a bad value inside "Invalid value: X": <c>%v</c> for numbers and booleans,
    /// <c>%q</c> for strings, JSON for everything else (including null).
    /// </summary>
    public static string BadValue(in JsonValue value) => value.Kind switch
    {
        JsonKind.Null => "null",
        JsonKind.Boolean => ((ScalarNode)value.Node).AsBool() ? "true" : "false",
        JsonKind.Integer => value.Integer.ToString(CultureInfo.InvariantCulture),
        JsonKind.Number => GoFloatFormat.FormatG(value.Number),
        JsonKind.String => GoStrconv.Quote(value.Text),
        _ => Json(value.Node),
    };
}
