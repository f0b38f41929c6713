using Weft.Api.Documents;
using Weft.Api.Model;
using Weft.Api.Schema;
using Weft.Api.Schema.Cel;

namespace Weft.Api.Validation;

/// <summary>Runs the structural schema check (with the CRD's CEL rules) of one resource and labels its findings with the resource.</summary>
internal static class SchemaCheck
{
    private static readonly SchemaValidator Validator = new();
    private static readonly CelRuleEvaluator Cel = new();
    private static readonly SchemaValidationOptions StrictOptions = new() { Strict = true, CelEvaluator = Cel };
    private static readonly SchemaValidationOptions LenientOptions = new() { Strict = false, CelEvaluator = Cel };

    public static void Validate(SchemaNode schema, MapNode root, ValidationOptions options, Resource resource, List<Diagnostic> diagnostics)
    {
        foreach (var d in Validator.Validate(schema, root, options.Strict ? StrictOptions : LenientOptions))
        {
            // The note that rules were skipped because of other errors is not a problem of its own, and Istio's
            // warnings are the only warnings a user should see; the resource is already reported invalid.
            if (d.Message != SchemaValidator.CelSkipped)
            {
                diagnostics.Add(d with { Kind = resource.Kind, Namespace = resource.Namespace, Name = resource.Name });
            }
        }
    }
}
