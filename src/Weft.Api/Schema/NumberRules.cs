using System.Globalization;
using Weft.Api.GoCompat;

namespace Weft.Api.Schema;

/// <summary>
/// minimum and maximum as kube-openapi applies them: integers are compared with the bound truncated to an
/// integer (and the message shows it that way), floats with the bound itself. A schema typed <c>integer</c>
/// also reports a float value, or a fractional bound, as out of the integer range.
/// </summary>
internal static class NumberRules
{
    public static void Check(OpenApiWalker walker, SchemaNode schema, in JsonValue value, List<Finding> sink)
    {
        // Range checks against the declared type only happen for a single declared type (not int-or-string).
        var integerTyped = !schema.IntOrString && schema.Type == SchemaType.Integer;
        if (integerTyped && value.Kind == JsonKind.Number)
        {
            Plain(walker, sink, value, "Checked value");
        }

        if (schema.Minimum is { } min)
        {
            CheckBound(walker, sink, value, min, schema.ExclusiveMinimum, integerTyped, isMinimum: true);
        }

        if (schema.Maximum is { } max)
        {
            CheckBound(walker, sink, value, max, schema.ExclusiveMaximum, integerTyped, isMinimum: false);
        }
    }

    private static void CheckBound(OpenApiWalker walker, List<Finding> sink, in JsonValue value, double bound, bool exclusive, bool integerTyped, bool isMinimum)
    {
        var boundIsInteger = double.IsFinite(bound) && bound == Math.Floor(bound) && Math.Abs(bound) < 9.2233720368547758e18;
        if (integerTyped && !boundIsInteger)
        {
            Plain(walker, sink, value, isMinimum ? "Minimum boundary value" : "Maximum boundary value");
        }

        bool outside;
        string shown;
        if (value.Kind == JsonKind.Integer && (boundIsInteger || !integerTyped))
        {
            // Go converts the bound with int64(bound), which truncates toward zero.
            var b = (long)Math.Truncate(Math.Clamp(bound, long.MinValue, long.MaxValue));
            outside = isMinimum ? (exclusive ? value.Integer <= b : value.Integer < b) : (exclusive ? value.Integer >= b : value.Integer > b);
            shown = b.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            var d = value.AsDouble;
            outside = isMinimum ? (exclusive ? d <= bound : d < bound) : (exclusive ? d >= bound : d > bound);
            shown = GoFloatFormat.FormatG(bound);
        }

        if (!outside || walker.OnlyCounting())
        {
            return;
        }

        var comparison = (isMinimum, exclusive) switch
        {
            (true, false) => "greater than or equal to",
            (true, true) => "greater than",
            (false, false) => "less than or equal to",
            _ => "less than",
        };
        var path = walker.Path.Dotted();
        ValidationRun.Report(sink, path, ApiErrors.Invalid(ApiValueText.BadValue(value), ApiErrors.InBody(path, $"should be {comparison} {shown}")), value.Node.Location);
    }

    // Errors kube-openapi raises as plain Go errors; the API server files them under no field ("<nil>") with an
    // empty bad value. We keep the path so the user can find the value.
    private static void Plain(OpenApiWalker walker, List<Finding> sink, in JsonValue value, string what)
    {
        if (!walker.OnlyCounting())
        {
            var path = walker.Path.Dotted();
            ValidationRun.Report(sink, path, ApiErrors.Invalid("\"\"", $"{what} must be of type integer (default format) in {path}"), value.Node.Location);
        }
    }
}
