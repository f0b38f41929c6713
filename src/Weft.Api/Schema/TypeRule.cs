using Weft.Api.GoCompat;

namespace Weft.Api.Schema;

/// <summary>
/// kube-openapi's type check, quirks included: integers pass for <c>number</c>, integral floats for
/// <c>integer</c>, null only when <c>nullable</c>, and a schema with an enforced string format skips the check
/// for strings and arrays (and names the format instead of the type for other values).
/// </summary>
internal static class TypeRule
{
    // swag.IsFloat64AJSONInteger accepts integral floats within the range JSON can carry exactly.
    private const double MaxJsonInteger = 9007199254740991;

    public static void Check(OpenApiWalker walker, SchemaNode schema, in JsonValue value, List<Finding> sink)
    {
        var format = Formats.Enforced(schema.Format);
        var single = schema.IntOrString ? null : SchemaTypes.Name(schema.Type);
        var typed = schema.IntOrString || single is not null;
        if (!typed && format is null)
        {
            return;
        }

        var expected = schema.IntOrString ? "integer,string" : single ?? string.Empty;
        if (value.Kind == JsonKind.Null)
        {
            if (typed && !schema.Nullable)
            {
                Fail(walker, sink, value, expected, "null");
            }

            return;
        }

        var actual = value.TypeName;
        var isIntFloat = value.Kind == JsonKind.Integer && Allows(schema, single, "number");
        var isFloatInt = value.Kind == JsonKind.Number && IsJsonInteger(value.Number) && Allows(schema, single, "integer");
        var stringOrArray = value.Kind is JsonKind.String or JsonKind.Array;
        if (!stringOrArray && format is not null)
        {
            var dataFormat = value.Kind switch
            {
                JsonKind.Integer => "int64",
                JsonKind.Number => "float64",
                _ => string.Empty,
            };
            if (!(Allows(schema, single, actual) || dataFormat == format || isFloatInt || isIntFloat))
            {
                Fail(walker, sink, value, format, dataFormat);
                return;
            }
        }

        if (format is not null && stringOrArray && !Allows(schema, single, "number") && !Allows(schema, single, "integer"))
        {
            return;
        }

        if (!(Allows(schema, single, actual) || isFloatInt || isIntFloat))
        {
            Fail(walker, sink, value, expected, actual);
        }
    }

    private static bool Allows(SchemaNode schema, string? single, string type) =>
        schema.IntOrString ? type is "integer" or "string" : single == type;

    private static bool IsJsonInteger(double d) => double.IsFinite(d) && Math.Abs(d) <= MaxJsonInteger && d == Math.Floor(d);

    private static void Fail(OpenApiWalker walker, List<Finding> sink, in JsonValue value, string expected, string actual)
    {
        if (walker.OnlyCounting())
        {
            return;
        }

        var path = walker.Path.Dotted();
        var quoted = GoStrconv.Quote(actual);
        var message = ApiErrors.Invalid(quoted, ApiErrors.InBody(path, $"must be of type {expected}: {quoted}"));
        ValidationRun.Report(sink, path, message, value.Node.Location, blocking: true);
    }
}
