using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Workloads;

/// <summary>
/// Istio's <c>ValidateProxyConfig</c>: the selector (no empty keys, no wildcards; a warning when it has no labels) and a
/// non-negative concurrency. Istio leaves the image type and environment variables unchecked.
/// </summary>
internal sealed class ProxyConfigValidator : ISpecValidator
{
    public string Kind => "ProxyConfig";

    public void Validate(ValidationContext context)
    {
        if (context.Resource.Spec is not ProxyConfigSpec spec)
        {
            return;
        }

        WorkloadSelectors.Validate(context, "spec.selector", spec.Selector);
        if (spec.Concurrency < 0)
        {
            context.Error("spec.concurrency", "concurrency must be greater than or equal to 0");
        }
    }
}
