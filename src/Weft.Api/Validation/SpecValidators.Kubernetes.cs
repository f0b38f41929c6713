using Weft.Api.Validation.KubernetesKinds;

namespace Weft.Api.Validation;

internal static partial class SpecValidators
{
    // The Kubernetes kinds istioctl validate checks, and Secrets, whose TLS credentials the control plane serves over SDS.
    private static IEnumerable<ISpecValidator> Kubernetes() => [new ServiceValidator(), new SecretValidator()];
}
