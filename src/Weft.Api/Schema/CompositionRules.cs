using System.Globalization;
using Weft.Api.Documents;
using Weft.Api.GoCompat;

namespace Weft.Api.Schema;

/// <summary>
/// anyOf, oneOf, allOf and not as OpenAPI value validations. Istio's CRDs use them to say "at most one of these
/// fields" (<c>oneOf: [not: {anyOf: [required: [a], required: [b]]}, required: [a], required: [b]]</c>); the API
/// server then reports <c>"spec" must validate one and only one schema (oneOf). Found 2 valid alternatives</c>.
/// </summary>
/// <remarks>
/// Alternatives are first only counted, since most fail by design; messages are built only for those whose
/// failures are reported. When no alternative fits, kube-openapi reports the failures of the one that got
/// furthest (by its count of passed checks); we take the one with the fewest failures, first on ties.
/// </remarks>
internal static class CompositionRules
{
    public static void Check(OpenApiWalker walker, SchemaNode schema, Node node, List<Finding> sink)
    {
        if (schema.AnyOf is { Count: > 0 } anyOf)
        {
            CheckAnyOf(walker, anyOf, node, sink);
        }

        if (schema.OneOf is { Count: > 0 } oneOf)
        {
            CheckOneOf(walker, oneOf, node, sink);
        }

        if (schema.AllOf is { Count: > 0 } allOf)
        {
            CheckAllOf(walker, allOf, node, sink);
        }

        if (schema.Not is { } not && walker.CountFailures(not, node) == 0)
        {
            Composite(walker, sink, node, "must not validate the schema (not)");
        }
    }

    private static void CheckAnyOf(OpenApiWalker walker, IReadOnlyList<SchemaNode> alternatives, Node node, List<Finding> sink)
    {
        SchemaNode? best = null;
        var fewest = int.MaxValue;
        for (var i = 0; i < alternatives.Count; i++)
        {
            var failures = walker.CountFailures(alternatives[i], node);
            if (failures == 0)
            {
                return;
            }

            if (failures < fewest)
            {
                (best, fewest) = (alternatives[i], failures);
            }
        }

        Composite(walker, sink, node, "must validate at least one schema (anyOf)");
        Explain(walker, best!, node, sink);
    }

    private static void CheckOneOf(OpenApiWalker walker, IReadOnlyList<SchemaNode> alternatives, Node node, List<Finding> sink)
    {
        SchemaNode? best = null;
        var fewest = int.MaxValue;
        var valid = 0;
        for (var i = 0; i < alternatives.Count; i++)
        {
            var failures = walker.CountFailures(alternatives[i], node);
            if (failures == 0)
            {
                valid++;
            }
            else if (failures < fewest)
            {
                (best, fewest) = (alternatives[i], failures);
            }
        }

        if (valid == 1)
        {
            return;
        }

        var found = valid == 0 ? "Found none valid" : $"Found {valid.ToString(CultureInfo.InvariantCulture)} valid alternatives";
        Composite(walker, sink, node, "must validate one and only one schema (oneOf). " + found);
        if (valid == 0)
        {
            Explain(walker, best!, node, sink);
        }
    }

    private static void CheckAllOf(OpenApiWalker walker, IReadOnlyList<SchemaNode> parts, Node node, List<Finding> sink)
    {
        var valid = 0;
        for (var i = 0; i < parts.Count; i++)
        {
            if (walker.CountFailures(parts[i], node) == 0)
            {
                valid++;
            }
            else
            {
                Explain(walker, parts[i], node, sink);
            }
        }

        if (valid != parts.Count)
        {
            Composite(walker, sink, node, "must validate all the schemas (allOf)" + (valid == 0 ? ". None validated" : string.Empty));
        }
    }

    /// <summary>Reports the failures of an alternative, which only matters when they are not just being counted.</summary>
    private static void Explain(OpenApiWalker walker, SchemaNode alternative, Node node, List<Finding> sink)
    {
        if (!walker.IsCounting)
        {
            walker.Validate(alternative, node, sink, primary: false);
        }
    }

    // kube-openapi raises these as plain errors: the API server shows them under no field with an empty value,
    // naming the path inside the message. We also file them under the path so they can be located.
    private static void Composite(OpenApiWalker walker, List<Finding> sink, Node node, string what)
    {
        if (walker.OnlyCounting())
        {
            return;
        }

        var path = walker.Path.Dotted();
        ValidationRun.Report(sink, path, ApiErrors.Invalid("\"\"", GoStrconv.Quote(path) + " " + what), node.Location);
    }
}
