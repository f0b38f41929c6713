using System.Globalization;

namespace Weft.Api.Schema;

/// <summary>enum: the value must equal one of the listed values; otherwise "Unsupported value".</summary>
internal static class EnumRule
{
    public static void Check(OpenApiWalker walker, SchemaNode schema, in JsonValue value, List<Finding> sink)
    {
        if (schema.Enum is not { Count: > 0 } allowed)
        {
            return;
        }

        for (var i = 0; i < allowed.Count; i++)
        {
            if (Matches(value, allowed[i]))
            {
                return;
            }
        }

        if (walker.OnlyCounting())
        {
            return;
        }

        var supported = new string[allowed.Count];
        for (var i = 0; i < supported.Length; i++)
        {
            supported[i] = Convert.ToString(allowed[i], CultureInfo.InvariantCulture) ?? string.Empty;
        }

        ValidationRun.Report(sink, walker.Path.Dotted(), ApiErrors.NotSupported(ApiValueText.BadValue(value), supported), value.Node.Location, blocking: true);
    }

    // kube-openapi converts the value to the enum entry's Go type before comparing, so numbers compare by value
    // (a float is truncated on the way) and nothing else converts to a string.
    private static bool Matches(in JsonValue value, object candidate) => candidate switch
    {
        string s => value.Kind == JsonKind.String && value.Text == s,
        long l => value.Kind switch
        {
            JsonKind.Integer => value.Integer == l,
            JsonKind.Number => double.IsFinite(value.Number) && Math.Truncate(value.Number) == l,
            _ => false,
        },
        _ => false,
    };
}
