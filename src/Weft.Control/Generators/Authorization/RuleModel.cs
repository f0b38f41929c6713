using Weft.Api.Model.Security;
using Weft.Xds.Envoy.Config.Rbac.V3;
using RbacAction = Weft.Xds.Envoy.Config.Rbac.V3.RBAC.Types.Action;

namespace Weft.Control.Generators.Authorization;

/// <summary>
/// One rule of an AuthorizationPolicy, arranged as Envoy's RBAC policy wants it (Istio's authz model): one permission
/// per <c>to</c> entry and one principal per <c>from</c> entry (a single "any" when the list is absent), each the AND of
/// its conditions. <c>when</c> conditions are added to every permission (destination keys) or principal (source keys).
/// The order of conditions is Istio's, because it is the order of the generated matchers: hosts, methods, paths, ports,
/// then <c>when</c> for permissions; principals, request principals, service accounts, trust domains, namespaces, remote
/// IP blocks, IP blocks, then <c>when</c> for principals.
/// </summary>
internal sealed class RuleModel
{
    private readonly List<List<RuleCondition>> _permissions = [];
    private readonly List<List<RuleCondition>> _principals = [];

    private RuleModel()
    {
    }

    /// <summary>The model of a rule; null with the reason when a <c>when</c> key is not an attribute Istio knows.</summary>
    public static (RuleModel? Model, string? Error) Of(string policyNamespace, Rule rule)
    {
        var model = new RuleModel();
        var basePermission = new List<RuleCondition>();
        var basePrincipal = new List<RuleCondition>();
        foreach (var when in rule.When ?? [])
        {
            var key = when?.Key ?? string.Empty;
            var (translator, isPermission) = WhenKey(key, policyNamespace);
            if (translator is null)
            {
                return (null, $"unknown attribute {key}");
            }

            Append(isPermission ? basePermission : basePrincipal, key, when!.Values, when.NotValues, translator);
        }

        foreach (var from in rule.From ?? [])
        {
            var merged = new List<RuleCondition>(basePrincipal);
            if (from?.Source is { } s)
            {
                Prepend(merged, "source.ip", s.IpBlocks, s.NotIpBlocks, SourceAttributes.SourceIp);
                Prepend(merged, "remote.ip", s.RemoteIpBlocks, s.NotRemoteIpBlocks, SourceAttributes.RemoteIp);
                Prepend(merged, "source.namespace", s.Namespaces, s.NotNamespaces, SourceAttributes.SourceNamespace);
                Prepend(merged, "source.trustDomain", s.TrustDomains, s.NotTrustDomains, SourceAttributes.SourceTrustDomain);
                Prepend(merged, "source.serviceAccount", s.ServiceAccounts, s.NotServiceAccounts, SourceAttributes.SourceServiceAccount(policyNamespace));
                Prepend(merged, "request.auth.principal", s.RequestPrincipals, s.NotRequestPrincipals, SourceAttributes.RequestPrincipal);
                Prepend(merged, "source.principal", s.Principals, s.NotPrincipals, SourceAttributes.SourcePrincipal);
            }

            model._principals.Add(merged);
        }

        if (rule.From is not { Count: > 0 })
        {
            model._principals.Add(basePrincipal);
        }

        foreach (var to in rule.To ?? [])
        {
            var merged = new List<RuleCondition>(basePermission);
            if (to?.Operation is { } o)
            {
                Prepend(merged, "destination.port", o.Ports, o.NotPorts, DestinationAttributes.DestinationPort);
                Prepend(merged, DestinationAttributes.PathKey, o.Paths, o.NotPaths, DestinationAttributes.Path);
                Prepend(merged, DestinationAttributes.MethodKey, o.Methods, o.NotMethods, DestinationAttributes.Method);
                Prepend(merged, DestinationAttributes.HostKey, o.Hosts, o.NotHosts, DestinationAttributes.Host);
            }

            model._permissions.Add(merged);
        }

        if (rule.To is not { Count: > 0 })
        {
            model._permissions.Add(basePermission);
        }

        return (model, null);
    }

    /// <summary>
    /// Expands source principals (<c>principals</c>, <c>source.principal</c>) over the trust domain aliases, and trust
    /// domain values over the bundle.
    /// </summary>
    public void MigrateTrustDomain(TrustDomainBundle bundle)
    {
        foreach (var condition in _principals.SelectMany(p => p))
        {
            if (condition.Key == "source.principal")
            {
                if (condition.Values.Count > 0)
                {
                    condition.Values = bundle.ReplaceTrustDomainAliases(condition.Values);
                }

                if (condition.NotValues.Count > 0)
                {
                    condition.NotValues = bundle.ReplaceTrustDomainAliases(condition.NotValues);
                }
            }
            else if (condition.Key == "source.trustDomain")
            {
                if (condition.Values.Count > 0)
                {
                    condition.Values = bundle.ExpandTrustDomainAliases(condition.Values);
                }

                if (condition.NotValues.Count > 0)
                {
                    condition.NotValues = bundle.ExpandTrustDomainAliases(condition.NotValues);
                }
            }
        }
    }

    /// <summary>
    /// The RBAC policy of the rule for an HTTP or a TCP chain; null with the reason when the rule cannot apply there (an
    /// ALLOW rule needing an HTTP attribute on a TCP chain, a malformed value in an ALLOW rule).
    /// </summary>
    public (Policy? Policy, string? Error) Generate(bool forTcp, bool useAuthenticated, RbacAction action)
    {
        var policy = new Policy();
        foreach (var conditions in _permissions)
        {
            var all = new List<Permission>();
            foreach (var condition in conditions)
            {
                var (rules, error) = condition.Permissions(forTcp, action);
                if (rules is null)
                {
                    return (null, error);
                }

                all.AddRange(rules);
            }

            policy.Permissions.Add(RbacNodes.And(all.Count > 0 ? all : [RbacNodes.AnyPermission()]));
        }

        foreach (var conditions in _principals)
        {
            var all = new List<Principal>();
            foreach (var condition in conditions)
            {
                var (ids, error) = condition.Principals(forTcp, useAuthenticated, action);
                if (ids is null)
                {
                    return (null, error);
                }

                all.AddRange(ids);
            }

            policy.Principals.Add(RbacNodes.And(all.Count > 0 ? all : [RbacNodes.AnyPrincipal()]));
        }

        return (policy, null);
    }

    private static (AttributeTranslator? Translator, bool IsPermission) WhenKey(string key, string policyNamespace) => key switch
    {
        "destination.ip" => (DestinationAttributes.DestinationIp, true),
        "destination.port" => (DestinationAttributes.DestinationPort, true),
        "connection.sni" => (DestinationAttributes.ConnectionSni, true),
        _ when key.StartsWith("experimental.envoy.filters.", StringComparison.Ordinal) => (DestinationAttributes.EnvoyFilter, true),
        "source.ip" => (SourceAttributes.SourceIp, false),
        "remote.ip" => (SourceAttributes.RemoteIp, false),
        "source.namespace" => (SourceAttributes.SourceNamespace, false),
        "source.trustDomain" => (SourceAttributes.SourceTrustDomain, false),
        "source.serviceAccount" => (SourceAttributes.SourceServiceAccount(policyNamespace), false),
        "source.principal" => (SourceAttributes.SourcePrincipal, false),
        "request.auth.principal" => (SourceAttributes.RequestPrincipal, false),
        "request.auth.audiences" => (SourceAttributes.RequestAudiences, false),
        "request.auth.presenter" => (SourceAttributes.RequestPresenter, false),
        _ when key.StartsWith("request.headers", StringComparison.Ordinal) => (SourceAttributes.RequestHeader, false),
        _ when key.StartsWith("request.auth.claims", StringComparison.Ordinal) => (SourceAttributes.RequestClaims, false),
        _ => (null, false),
    };

    private static void Append(List<RuleCondition> list, string key, IReadOnlyList<string>? values, IReadOnlyList<string>? notValues, AttributeTranslator translator)
    {
        if (values is { Count: > 0 } || notValues is { Count: > 0 })
        {
            list.Add(new RuleCondition(key, values ?? [], notValues ?? [], translator));
        }
    }

    private static void Prepend(List<RuleCondition> list, string key, IReadOnlyList<string>? values, IReadOnlyList<string>? notValues, AttributeTranslator translator)
    {
        if (values is { Count: > 0 } || notValues is { Count: > 0 })
        {
            list.Insert(0, new RuleCondition(key, values ?? [], notValues ?? [], translator));
        }
    }
}
