using Weft.Api.Validation.KubernetesKinds;

namespace Weft.Api.Validation;

internal static partial class SpecValidators
{
    // The Kubernetes kinds istioctl validate checks.
    private static IEnumerable<ISpecValidator> Kubernetes() => [new ServiceValidator()];
}
