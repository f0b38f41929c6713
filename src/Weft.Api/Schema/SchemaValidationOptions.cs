namespace Weft.Api.Schema;

/// <summary>How <see cref="SchemaValidator"/> treats a resource.</summary>
public sealed record SchemaValidationOptions
{
    /// <summary>
    /// Unknown fields are errors, as with <c>kubectl apply --validate=strict</c>. When false they are ignored,
    /// as the API server silently prunes them.
    /// </summary>
    public bool Strict { get; init; }

    /// <summary>Evaluates x-kubernetes-validations rules; null leaves CEL rules unchecked.</summary>
    public ICelRuleEvaluator? CelEvaluator { get; init; }
}
