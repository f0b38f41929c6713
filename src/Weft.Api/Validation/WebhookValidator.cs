using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation;

/// <summary>
/// A kind's rules as Istio's webhook registers them: its metadata checks first, for every Istio kind, and the
/// kind's own rules only when those pass.
/// </summary>
internal sealed class WebhookValidator(ISpecValidator kindRules) : ISpecValidator
{
    public string Kind => kindRules.Kind;

    public void Validate(ValidationContext context)
    {
        if (ResourceAnnotations.Validate(context))
        {
            kindRules.Validate(context);
        }
    }
}
