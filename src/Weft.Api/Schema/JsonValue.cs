using Weft.Api.Documents;

namespace Weft.Api.Schema;

/// <summary>A node seen as the API server sees it after the YAML to JSON round trip (see <see cref="JsonKind"/>).</summary>
internal readonly struct JsonValue
{
    // Go's JSON decoder keeps a number as int64 only when its text has no fraction or exponent; encoding/json writes
    // floats below 1e21 without an exponent, so an integral float survives as an integer up to the int64 range.
    private const double Int64Limit = 9.2233720368547758e18;

    private JsonValue(JsonKind kind, Node node, long integer, double number)
    {
        Kind = kind;
        Node = node;
        Integer = integer;
        Number = number;
    }

    public JsonKind Kind { get; }

    public Node Node { get; }

    /// <summary>The value when <see cref="Kind"/> is <see cref="JsonKind.Integer"/>.</summary>
    public long Integer { get; }

    /// <summary>The value when <see cref="Kind"/> is <see cref="JsonKind.Number"/>.</summary>
    public double Number { get; }

    public string Text => ((ScalarNode)Node).Text;

    public bool IsNumeric => Kind is JsonKind.Integer or JsonKind.Number;

    public double AsDouble => Kind == JsonKind.Integer ? Integer : Number;

    public string TypeName => NameOf(Kind);

    public static JsonValue Of(Node node)
    {
        switch (node)
        {
            case MapNode:
                return new JsonValue(JsonKind.Object, node, 0, 0);
            case ListNode:
                return new JsonValue(JsonKind.Array, node, 0, 0);
        }

        var scalar = (ScalarNode)node;
        switch (scalar.Kind)
        {
            case ScalarKind.Null:
                return new JsonValue(JsonKind.Null, node, 0, 0);
            case ScalarKind.Bool:
                return new JsonValue(JsonKind.Boolean, node, 0, 0);
            case ScalarKind.Int when ScalarResolver.TryParseInt(scalar.Text, out var i):
                return new JsonValue(JsonKind.Integer, node, i, 0);
            case ScalarKind.Int or ScalarKind.Float:
                var d = scalar.AsDouble();
                return double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < Int64Limit
                    ? new JsonValue(JsonKind.Integer, node, (long)d, 0)
                    : new JsonValue(JsonKind.Number, node, 0, d);
            default:
                return new JsonValue(JsonKind.String, node, 0, 0);
        }
    }

    public static string NameOf(JsonKind kind) => kind switch
    {
        JsonKind.Null => "null",
        JsonKind.Boolean => "boolean",
        JsonKind.Integer => "integer",
        JsonKind.Number => "number",
        JsonKind.String => "string",
        JsonKind.Array => "array",
        _ => "object",
    };
}
