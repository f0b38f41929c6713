using Google.Protobuf.WellKnownTypes;
using RbacAction = Weft.Xds.Envoy.Config.Rbac.V3.RBAC.Types.Action;

namespace Weft.Proxy.Authorization;

/// <summary>
/// Envoy's RBAC filter, HTTP or network: the shadow rules are evaluated first and only recorded (counters, and the
/// result in dynamic metadata under <c>SHADOW_PREFIX shadow_effective_policy_id</c> and <c>shadow_engine_result</c>,
/// which is how Istio's ext_authz filter learns that a CUSTOM policy selected the request); then the rules, if any, are
/// enforced. Without rules nothing is enforced.
/// </summary>
internal sealed class RbacFilter(string metadataNamespace, RbacEngine? rules, RbacEngine? shadowRules, string shadowStatPrefix, RbacCounters counters)
{
    public const string HttpName = "envoy.filters.http.rbac";
    public const string NetworkName = "envoy.filters.network.rbac";

    /// <summary>Where a LOG (AUDIT) match is marked, as Envoy marks it.</summary>
    public const string CommonNamespace = "envoy.common";

    public RbacCounters Counters { get; } = counters;

    /// <summary>Whether the request passes; <paramref name="policy"/> is the policy that decided a denial.</summary>
    public bool Allows(AuthorizationInput input, out string? policy, out bool shadowDenied)
    {
        shadowDenied = false;
        if (shadowRules is not null)
        {
            var shadowAllowed = shadowRules.Allows(input, out var shadowPolicy);
            Counters.Shadow(shadowAllowed);
            shadowDenied = !shadowAllowed;
            if (shadowPolicy is not null)
            {
                input.Metadata.Set(metadataNamespace, shadowStatPrefix + "shadow_effective_policy_id", Value.ForString(shadowPolicy));
            }

            input.Metadata.Set(metadataNamespace, shadowStatPrefix + "shadow_engine_result", Value.ForString(shadowAllowed ? "allowed" : "denied"));
        }

        policy = null;
        if (rules is null)
        {
            return true;
        }

        var allowed = rules.Allows(input, out policy);
        if (rules.Action == RbacAction.Log)
        {
            if (policy is not null)
            {
                input.Metadata.Set(CommonNamespace, "access_log_hint", Value.ForBool(true));
            }

            return true;
        }

        Counters.Enforced(allowed);
        return allowed;
    }
}
