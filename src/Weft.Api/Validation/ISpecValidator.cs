namespace Weft.Api.Validation;

/// <summary>
/// Istio's semantic (webhook / istioctl validate) rules for one kind, applied after the schema check to the typed spec.
/// A validator reports every problem it finds; it never throws for bad input.
/// </summary>
internal interface ISpecValidator
{
    /// <summary>The kind this validator checks, e.g. "VirtualService".</summary>
    string Kind { get; }

    void Validate(ValidationContext context);
}
