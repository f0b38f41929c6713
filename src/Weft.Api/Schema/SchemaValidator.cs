using Weft.Api.Documents;
using Weft.Api.Validation;

namespace Weft.Api.Schema;

/// <summary>
/// Validates a custom resource against its CRD's structural schema the way the Kubernetes API server does,
/// with its messages: unknown fields (strict mode), ObjectMeta, OpenAPI value validation, list types, then
/// x-kubernetes-validations (CEL) rules. Every error is reported, in that order, each stage in document order.
/// </summary>
/// <remarks>Thread-safe and stateless; one instance can serve any number of schemas and callers.</remarks>
public sealed class SchemaValidator
{
    internal const string CelSkipped =
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

    /// <param name="objectSchema">The version's openAPIV3Schema: the whole object, not just spec.</param>
    /// <param name="resource">The resource as read from YAML, including apiVersion, kind and metadata.</param>
    public IReadOnlyList<Diagnostic> Validate(SchemaNode objectSchema, MapNode resource, SchemaValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(objectSchema);
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(options);

        var run = ValidationRun.Rent(options);
        try
        {
            return Validate(objectSchema, resource, options, run);
        }
        finally
        {
            run.Return();
        }
    }

    private static IReadOnlyList<Diagnostic> Validate(SchemaNode objectSchema, MapNode resource, SchemaValidationOptions options, ValidationRun run)
    {
        ObjectMetaValidator.Validate(run.Walker, resource);
        run.Walker.Validate(objectSchema, resource, run.Schema, primary: true);

        if (options.CelEvaluator is { } evaluator && RuleIndex.HasRules(objectSchema))
        {
            // Like the API server, do not run rules over values of the wrong shape: they would only fail confusingly.
            if (run.HasBlocking())
            {
                ValidationRun.Report(run.Cel, string.Empty, CelSkipped, resource.Location);
            }
            else
            {
                new CelRuleWalker(run, evaluator).Walk(objectSchema, resource);
            }
        }

        return run.Collect();
    }
}
