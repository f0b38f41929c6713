using Weft.Api.GoCompat;
using Weft.Api.Model.Security;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Security;

/// <summary>
/// Istio's semantic rules for PeerAuthentication: port-level mTLS only on a workload-scoped policy (one with
/// selector labels), port keys that are ports, and the shared selector rules. Istio does not check the policy name
/// or namespace here (mesh-wide = root namespace, namespace-wide = no selector); nor does Weft.
/// </summary>
internal sealed class PeerAuthenticationValidator : ISpecValidator
{
    public string Kind => "PeerAuthentication";

    public void Validate(ValidationContext context)
    {
        var spec = context.Resource.Spec as PeerAuthenticationSpec ?? new PeerAuthenticationSpec();
        var emptySelector = spec.Selector?.MatchLabels is not { Count: > 0 };
        var ports = spec.PortLevelMtls;
        if (emptySelector && ports is { Count: > 0 })
        {
            context.Error("spec.portLevelMtls", "mesh/namespace peer authentication cannot have port level mTLS");
        }

        if (ports is not null)
        {
            foreach (var key in ports.Keys)
            {
                var path = $"spec.portLevelMtls[{key}]";

                // The keys are uint32 in Istio's API; a key that is not one never gets as far as validation.
                if (GoStrconv.ParseUint(key, 32, out var port) is not null)
                {
                    context.Error(path, $"invalid port {GoStrconv.Quote(key)}: portLevelMtls keys must be port numbers");
                }
                else if (port is 0 or > 65535)
                {
                    context.Error(path, "port must be in range 1..65535");
                }
            }
        }

        WorkloadSelectors.Validate(context, "spec.selector", spec.Selector);
    }
}
