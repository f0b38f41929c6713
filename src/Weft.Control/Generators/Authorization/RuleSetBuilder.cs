using Microsoft.Extensions.Logging;
using Weft.Control.Push;
using Weft.Xds.Envoy.Config.Rbac.V3;
using RbacAction = Weft.Xds.Envoy.Config.Rbac.V3.RBAC.Types.Action;

namespace Weft.Control.Generators.Authorization;

/// <summary>
/// Turns the policies of one action into RBAC rule sets, as Istio's authz builder does: each rule becomes a policy named
/// <c>ns[NS]-policy[NAME]-rule[I]</c> (prefixed <c>istio-ext-authz-PROVIDER-</c> for CUSTOM), in the dry-run set when the
/// policy is annotated <c>istio.io/dry-run: "true"</c>. A rule that cannot apply to the chain is left out; a policy with
/// no rules becomes one policy that never matches, so an ALLOW policy without rules allows nothing.
/// </summary>
internal static class RuleSetBuilder
{
    public const string ExtAuthzPrefix = "istio-ext-authz";

    private static readonly Policy MatchNever = new()
    {
        Permissions = { RbacNodes.Not(RbacNodes.AnyPermission()) },
        Principals = { RbacNodes.Not(RbacNodes.AnyPrincipal()) },
    };

    public static BuiltRules? Build(IReadOnlyList<AuthorizationPolicyView> policies, RbacAction action, bool custom, bool forTcp, AuthorizationOptions options)
    {
        if (policies.Count == 0)
        {
            return null;
        }

        var enforced = new RBAC { Action = action };
        var shadow = new RBAC { Action = action };
        var providerRules = new Dictionary<string, RBAC>(StringComparer.Ordinal);
        var providerShadow = new Dictionary<string, RBAC>(StringComparer.Ordinal);
        bool anyEnforced = false, anyDryRun = false;
        foreach (var policy in policies)
        {
            RBAC target;
            var provider = string.Empty;
            if (custom)
            {
                provider = policy.Spec.Provider?.Name ?? string.Empty;
                if (!providerRules.ContainsKey(provider))
                {
                    providerRules[provider] = new RBAC { Action = action };
                    providerShadow[provider] = new RBAC { Action = action };
                }

                target = policy.DryRun ? providerShadow[provider] : providerRules[provider];
            }
            else
            {
                target = policy.DryRun ? shadow : enforced;
            }

            anyDryRun |= policy.DryRun;
            anyEnforced |= !policy.DryRun;
            var rules = policy.Spec.Rules ?? [];
            for (var i = 0; i < rules.Count; i++)
            {
                var name = PolicyName(policy.Namespace, policy.Name, i, provider, custom);
                if (rules[i] is not { } rule)
                {
                    options.Log(LogLevel.Warning, $"skipped nil rule {name}");
                    continue;
                }

                var (model, error) = RuleModel.Of(policy.Namespace, rule);
                if (model is null)
                {
                    options.Log(LogLevel.Warning, $"skipped invalid rule {name}: {error}");
                    continue;
                }

                model.MigrateTrustDomain(options.TrustDomains);
                var (generated, skipped) = model.Generate(forTcp, options.UseAuthenticated, action);
                if (generated is null)
                {
                    options.Log(LogLevel.Debug, $"skipped rule {name} on {(forTcp ? "TCP" : "HTTP")} filter chain: {skipped}");
                    continue;
                }

                target.Policies[name] = generated;
            }

            if (rules.Count == 0)
            {
                target.Policies[PolicyName(policy.Namespace, policy.Name, 0, provider, custom)] = MatchNever.Clone();
            }
        }

        return new BuiltRules(anyEnforced ? enforced : null, anyDryRun ? shadow : null, providerRules, providerShadow);
    }

    public static string PolicyName(string ns, string name, int rule, string provider, bool custom)
    {
        var prefix = !custom ? string.Empty : provider.Length > 0 ? $"{ExtAuthzPrefix}-{provider}-" : ExtAuthzPrefix + "-";
        return $"{prefix}ns[{ns}]-policy[{name}]-rule[{rule}]";
    }
}
