using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Weft.Control.Push;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Rbac.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using HttpRbac = Weft.Xds.Envoy.Extensions.Filters.Http.Rbac.V3.RBAC;
using NetworkRbac = Weft.Xds.Envoy.Extensions.Filters.Network.Rbac.V3.RBAC;
using RbacAction = Weft.Xds.Envoy.Config.Rbac.V3.RBAC.Types.Action;

namespace Weft.Control.Generators.Authorization;

/// <summary>
/// The authorization filters of one workload, as Istio's authz builder writes them. <see cref="Local"/> mode gives the RBAC
/// filters of ALLOW, DENY and AUDIT policies, in the order AUDIT (action LOG), DENY, ALLOW, one filter per action holding
/// its enforced rules and its dry-run rules as shadow rules. <see cref="Custom"/> mode gives, per provider, an RBAC filter
/// whose shadow rules only mark the requests a CUSTOM policy selects (metadata
/// <c>istio_ext_authz_shadow_effective_policy_id</c>) and the provider's ext_authz filter enabled by that mark; when a
/// provider is missing or broken (or several are used without Istio's flag) a DENY RBAC filter takes its place, denying
/// what the provider would have been asked about.
/// </summary>
internal static class AuthorizationFilterBuilder
{
    public const string HttpRbacName = "envoy.filters.http.rbac";
    public const string HttpExtAuthzName = "envoy.filters.http.ext_authz";
    public const string NetworkRbacName = "envoy.filters.network.rbac";
    public const string NetworkExtAuthzName = "envoy.filters.network.ext_authz";
    public const string TcpStatPrefix = "tcp.";
    public const string DryRunAllowStatPrefix = "istio_dry_run_allow_";
    public const string DryRunDenyStatPrefix = "istio_dry_run_deny_";
    public const string BadCustomActionSuffix = "-deny-due-to-bad-CUSTOM-action";

    /// <summary>The HTTP filters: ALLOW/DENY/AUDIT (<paramref name="custom"/> false) or CUSTOM; none without such policies.</summary>
    public static IReadOnlyList<HttpFilter> Http(SelectedAuthorizationPolicies policies, bool custom, AuthorizationOptions options) =>
        Build(policies, custom, forTcp: false, options, LocalHttp, CustomHttp);

    /// <summary>The network filters for TCP chains, in the same way.</summary>
    public static IReadOnlyList<Filter> Tcp(SelectedAuthorizationPolicies policies, bool custom, AuthorizationOptions options) =>
        Build(policies, custom, forTcp: true, options, LocalTcp, CustomTcp);

    private static List<T> Build<T>(
        SelectedAuthorizationPolicies policies, bool custom, bool forTcp, AuthorizationOptions options, Func<BuiltRules, T> local, Func<ProviderRules, IEnumerable<T>> perProvider)
    {
        var filters = new List<T>();
        if (custom)
        {
            if (RuleSetBuilder.Build(policies.Custom, RbacAction.Deny, custom: true, forTcp, options) is { } built)
            {
                var providers = built.ProviderRules.Keys.Union(built.ProviderShadowRules.Keys).Order(StringComparer.Ordinal).ToArray();
                var tooMany = providers.Length > 1 && !options.MultipleCustomProviders;
                if (tooMany)
                {
                    options.Log(LogLevel.Warning, $"multiple CUSTOM authorization providers per workload requires PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS, found {providers.Length} providers: [{string.Join(' ', providers)}]");
                }

                foreach (var provider in providers)
                {
                    ResolvedExtAuthz? usable = null;
                    if (!tooMany)
                    {
                        var error = options.ExtensionProviders.TryGetValue(provider, out var resolved)
                            ? resolved.Error
                            : $"available providers are [{string.Join(' ', options.ExtensionProviders.Keys)}] but found \"{provider}\"";
                        if (error is null)
                        {
                            usable = resolved;
                        }
                        else
                        {
                            options.Log(LogLevel.Warning, $"failed to process CUSTOM action for provider {provider}, will generate deny configs: {error}");
                        }
                    }

                    filters.AddRange(perProvider(new ProviderRules(provider, built.ProviderRules[provider], built.ProviderShadowRules[provider], usable)));
                }
            }

            return filters;
        }

        foreach (var (list, action) in new[] { (policies.Audit, RbacAction.Log), (policies.Deny, RbacAction.Deny), (policies.Allow, RbacAction.Allow) })
        {
            if (RuleSetBuilder.Build(list, action, custom: false, forTcp, options) is { } built)
            {
                filters.Add(local(built));
            }
        }

        return filters;
    }

    private static HttpFilter LocalHttp(BuiltRules built) => HttpFilter(HttpRbacName, new HttpRbac
    {
        Rules = built.Rules,
        ShadowRules = built.ShadowRules,
        ShadowRulesStatPrefix = ShadowStatPrefix(built.ShadowRules),
    });

    private static Filter LocalTcp(BuiltRules built) => NetworkFilter(NetworkRbacName, new NetworkRbac
    {
        Rules = built.Rules,
        StatPrefix = TcpStatPrefix,
        ShadowRules = built.ShadowRules,
        ShadowRulesStatPrefix = ShadowStatPrefix(built.ShadowRules),
    });

    private static IEnumerable<HttpFilter> CustomHttp(ProviderRules provider)
    {
        if (provider.Resolved?.Http is not { } extAuthz)
        {
            yield return HttpFilter(HttpRbacName, new HttpRbac { Rules = BadCustomDeny(provider.Rules) });
            yield break;
        }

        // The RBAC filter never enforces here: it marks the requests this provider must be asked about, and ext_authz
        // runs for marked requests only. Dry-run CUSTOM policies land in the enforced rules, as Istio puts them.
        var rbac = new HttpRbac { ShadowRules = provider.Rules, ShadowRulesStatPrefix = ExtAuthzProviders.ExtAuthzStatPrefix };
        if (provider.ShadowRules.Policies.Count > 0)
        {
            rbac.Rules = provider.ShadowRules;
        }

        var config = extAuthz.Clone();
        config.FilterEnabledMetadata = ExtAuthzProviders.EnabledFor(HttpRbacName, provider.Name);
        yield return HttpFilter(HttpRbacName, rbac);
        yield return HttpFilter(HttpExtAuthzName, config);
    }

    private static IEnumerable<Filter> CustomTcp(ProviderRules provider)
    {
        if (provider.Resolved is null)
        {
            yield return NetworkFilter(NetworkRbacName, new NetworkRbac { Rules = BadCustomDeny(provider.Rules), StatPrefix = TcpStatPrefix });
            yield break;
        }

        // An HTTP provider cannot check a TCP connection: the policies are left out of TCP chains.
        if (provider.Resolved.Tcp is not { } extAuthz)
        {
            yield break;
        }

        var rbac = new NetworkRbac { ShadowRules = provider.Rules, StatPrefix = TcpStatPrefix, ShadowRulesStatPrefix = ExtAuthzProviders.ExtAuthzStatPrefix };
        if (provider.ShadowRules.Policies.Count > 0)
        {
            rbac.Rules = provider.ShadowRules;
        }

        var config = extAuthz.Clone();
        config.FilterEnabledMetadata = ExtAuthzProviders.EnabledFor(NetworkRbacName, provider.Name);
        yield return NetworkFilter(NetworkRbacName, rbac);
        yield return NetworkFilter(NetworkExtAuthzName, config);
    }

    /// <summary>The enforced CUSTOM rules turned into DENY rules: what the provider would have been asked about is denied.</summary>
    private static RBAC BadCustomDeny(RBAC rules)
    {
        var deny = new RBAC { Action = RbacAction.Deny };
        foreach (var (name, policy) in rules.Policies)
        {
            deny.Policies[name + BadCustomActionSuffix] = policy;
        }

        return deny;
    }

    /// <summary>Istio names dry-run counters by the shadow rules' action: DENY → deny, LOG → none, else (and none) allow.</summary>
    private static string ShadowStatPrefix(RBAC? shadow) => (shadow?.Action ?? RbacAction.Allow) switch
    {
        RbacAction.Allow => DryRunAllowStatPrefix,
        RbacAction.Deny => DryRunDenyStatPrefix,
        _ => string.Empty,
    };

    private static HttpFilter HttpFilter(string name, IMessage config) => new() { Name = name, TypedConfig = Any.Pack(config) };

    private static Filter NetworkFilter(string name, IMessage config) => new() { Name = name, TypedConfig = Any.Pack(config) };

    private sealed record ProviderRules(string Name, RBAC Rules, RBAC ShadowRules, ResolvedExtAuthz? Resolved);
}
