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
            diagnostics.Add(d with { Kind = resource.Kind, Namespace = resource.Namespace, Name = resource.Name });
        }
    }
}
