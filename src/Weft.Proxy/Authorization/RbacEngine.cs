using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Rbac.V3;
using RbacAction = Weft.Xds.Envoy.Config.Rbac.V3.RBAC.Types.Action;

namespace Weft.Proxy.Authorization;

/// <summary>
/// One compiled RBAC rule set. A policy matches when one of its permissions and one of its principals match; policies
/// are tried in name order (Envoy keeps them in an ordered map) and the first that matches is the effective policy.
/// ALLOW allows only what a policy matches (so an ALLOW set with no policies allows nothing), DENY denies what a policy
/// matches, LOG never denies and only marks matched requests for the access log.
/// </summary>
internal sealed class RbacEngine
{
    private readonly CompiledPolicy[] _policies;

    private RbacEngine(RbacAction action, CompiledPolicy[] policies)
    {
        Action = action;
        _policies = policies;
    }

    public RbacAction Action { get; }

    public static RbacEngine Compile(RBAC rules)
    {
        if (rules.Action is not (RbacAction.Allow or RbacAction.Deny or RbacAction.Log))
        {
            throw new XdsRejectedException($"RBAC action {rules.Action} is not supported");
        }

        var policies = rules.Policies
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => Compile(p.Key, p.Value))
            .ToArray();
        return new RbacEngine(rules.Action, policies);
    }

    /// <summary>Whether the rules let the request (or connection) through, and the policy that decided, if one matched.</summary>
    public bool Allows(AuthorizationInput input, out string? policy)
    {
        policy = null;
        foreach (var candidate in _policies)
        {
            if (candidate.Matches(input))
            {
                policy = candidate.Name;
                break;
            }
        }

        return Action switch
        {
            RbacAction.Allow => policy is not null,
            RbacAction.Deny => policy is null,
            _ => true,
        };
    }

    private static CompiledPolicy Compile(string name, Policy policy)
    {
        try
        {
            return new CompiledPolicy(name, policy.Permissions.Select(PermissionMatch.Compile).ToArray(), policy.Principals.Select(PrincipalMatch.Compile).ToArray());
        }
        catch (XdsRejectedException e)
        {
            throw new XdsRejectedException($"RBAC policy {name}: {e.Message}");
        }
    }

    private sealed record CompiledPolicy(string Name, PermissionMatch[] Permissions, PrincipalMatch[] Principals)
    {
        public bool Matches(AuthorizationInput input)
        {
            var permitted = false;
            foreach (var permission in Permissions)
            {
                if (permission.Matches(input))
                {
                    permitted = true;
                    break;
                }
            }

            if (!permitted)
            {
                return false;
            }

            foreach (var principal in Principals)
            {
                if (principal.Matches(input))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
