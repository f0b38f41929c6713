using Weft.Api.Model.Security;

namespace Weft.Api.Validation.Security;

/// <summary>Istio's semantic rules for AuthorizationPolicy (security.istio.io).</summary>
internal sealed class AuthorizationPolicyValidator : ISpecValidator
{
    private const string DenyTcpWarning = "configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use of "
        + "only HTTP attributes in a DENY rule; it is recommended to explicitly specify the port";

    public string Kind => "AuthorizationPolicy";

    public void Validate(ValidationContext context)
    {
        var spec = context.Resource.Spec as AuthorizationPolicySpec ?? new AuthorizationPolicySpec();
        var action = spec.Action ?? string.Empty;
        SelectorRules.ValidateAttachment(context, spec.Selector, spec.TargetRef, spec.TargetRefs);

        // An empty list reads as absent, as it does once Istio has turned the YAML into its protobuf.
        var rules = spec.Rules is { Count: > 0 } r0 ? r0 : null;
        var custom = action == "CUSTOM";
        if (custom)
        {
            ValidateCustom(context, spec, rules);
        }

        if (spec.Provider is not null && !custom)
        {
            context.Error("spec.provider", $"`provider` must not be with non CUSTOM action, found {(action.Length == 0 ? "ALLOW" : action)}");
        }

        if (action == "DENY" && rules is null)
        {
            context.Error("spec.rules", "DENY action without `rules` is meaningless as it will never be triggered, "
                + "add an empty rule `{}` if you want it be triggered for every request");
        }

        if (rules is null)
        {
            return;
        }

        for (var i = 0; i < rules.Count; i++)
        {
            ValidateRule(context, $"spec.rules[{i}]", i, rules[i], action == "DENY");
        }
    }

    private static void ValidateCustom(ValidationContext context, AuthorizationPolicySpec spec, IReadOnlyList<Rule>? rules)
    {
        if (rules is null)
        {
            context.Error("spec.rules", "CUSTOM action without `rules` is meaningless as it will never be triggered, "
                + "add an empty rule `{}` if you want it be triggered for every request");
            return;
        }

        if (string.IsNullOrEmpty(spec.Provider?.Name))
        {
            context.Error(spec.Provider is null ? "spec.provider" : "spec.provider.name", "`provider.name` must not be empty");
        }

        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (rule.From is { } from)
            {
                for (var j = 0; j < from.Count; j++)
                {
                    if (from[j].Source is not { } src)
                    {
                        continue;
                    }

                    var path = $"spec.rules[{i}].from[{j}].source";
                    NotWithCustom(context, path, ".namespaces", src.Namespaces, "From.Namespaces");
                    NotWithCustom(context, path, ".notNamespaces", src.NotNamespaces, "From.NotNamespaces");
                    NotWithCustom(context, path, ".serviceAccounts", src.ServiceAccounts, "From.ServiceAccounts");
                    NotWithCustom(context, path, ".notServiceAccounts", src.NotServiceAccounts, "From.NotServiceAccounts");
                    NotWithCustom(context, path, ".trustDomains", src.TrustDomains, "From.TrustDomains");
                    NotWithCustom(context, path, ".notTrustDomains", src.NotTrustDomains, "From.NotTrustDomains");
                    NotWithCustom(context, path, ".principals", src.Principals, "From.Principals");
                    NotWithCustom(context, path, ".notPrincipals", src.NotPrincipals, "From.NotPrincipals");
                    NotWithCustom(context, path, ".requestPrincipals", src.RequestPrincipals, "From.RequestPrincipals");
                    NotWithCustom(context, path, ".notRequestPrincipals", src.NotRequestPrincipals, "From.NotRequestPrincipals");
                }
            }

            if (rule.When is { } when)
            {
                for (var j = 0; j < when.Count; j++)
                {
                    var key = when[j].Key ?? string.Empty;
                    if (key is "source.namespace" or "source.serviceAccount" or "source.trustDomain" or "source.principal"
                        || key.StartsWith("request.auth.", StringComparison.Ordinal))
                    {
                        context.Error($"spec.rules[{i}].when[{j}].key", $"{key} is currently not supported with CUSTOM action");
                    }
                }
            }
        }
    }

    private static void NotWithCustom(ValidationContext context, string path, string field, IReadOnlyList<string>? values, string name)
    {
        if (values is { Count: > 0 })
        {
            context.Error(path + field, $"{name} is currently not supported with CUSTOM action");
        }
    }

    private static void ValidateRule(ValidationContext context, string path, int index, Rule rule, bool deny)
    {
        var tcpRulesInFrom = false;
        var tcpRulesInTo = false;
        var fromRuleExist = false;
        var toRuleExist = false;

        if (rule.From is { } from)
        {
            for (var j = 0; j < from.Count; j++)
            {
                var fromPath = $"{path}.from[{j}]";
                if (from[j].Source is not { } src)
                {
                    context.Error(fromPath, $"`from.source` must not be nil, found at rule {index}");
                    continue;
                }

                fromRuleExist = true;
                ValidateSource(context, fromPath + ".source", index, src);
                if (Any(src.NotPrincipals) || Any(src.Principals) || Any(src.IpBlocks) || Any(src.NotIpBlocks) || Any(src.Namespaces)
                    || Any(src.NotNamespaces) || Any(src.RemoteIpBlocks) || Any(src.NotRemoteIpBlocks) || Any(src.ServiceAccounts)
                    || Any(src.NotServiceAccounts))
                {
                    tcpRulesInFrom = true;
                }
            }
        }

        if (rule.To is { } to)
        {
            for (var j = 0; j < to.Count; j++)
            {
                var toPath = $"{path}.to[{j}]";
                if (to[j].Operation is not { } op)
                {
                    context.Error(toPath, $"`to.operation` must not be nil, found at rule {index}");
                    continue;
                }

                toRuleExist = true;
                ValidateOperation(context, toPath + ".operation", index, op);
                if (Any(op.Ports) || Any(op.NotPorts))
                {
                    tcpRulesInTo = true;
                }
            }
        }

        if (rule.When is { } when)
        {
            for (var j = 0; j < when.Count; j++)
            {
                ValidateCondition(context, $"{path}.when[{j}]", when[j]);
            }
        }

        if (deny && ((fromRuleExist && !toRuleExist && !tcpRulesInFrom) || (toRuleExist && !tcpRulesInTo)))
        {
            context.Warning(path, DenyTcpWarning);
        }
    }

    private static void ValidateSource(ValidationContext context, string path, int index, Source src)
    {
        if (Count(src.Principals) + Count(src.NotPrincipals) + Count(src.Namespaces) + Count(src.NotNamespaces) > 0
            && Count(src.ServiceAccounts) + Count(src.NotServiceAccounts) > 0)
        {
            context.Error(path, $"cannot set serviceAccounts with namespaces or principals, found at rule {index}");
        }

        if (!Any(src.Principals) && !Any(src.RequestPrincipals) && !Any(src.Namespaces) && !Any(src.IpBlocks) && !Any(src.RemoteIpBlocks)
            && !Any(src.NotPrincipals) && !Any(src.NotRequestPrincipals) && !Any(src.NotNamespaces) && !Any(src.NotIpBlocks)
            && !Any(src.NotRemoteIpBlocks) && !Any(src.ServiceAccounts) && !Any(src.NotServiceAccounts) && !Any(src.TrustDomains)
            && !Any(src.NotTrustDomains))
        {
            context.Error(path, $"`from.source` must not be empty, found at rule {index}");
        }

        AuthorizationValues.ValidateIps(context, path, ".ipBlocks", src.IpBlocks);
        AuthorizationValues.ValidateIps(context, path, ".notIpBlocks", src.NotIpBlocks);
        AuthorizationValues.ValidateIps(context, path, ".remoteIpBlocks", src.RemoteIpBlocks);
        AuthorizationValues.ValidateIps(context, path, ".notRemoteIpBlocks", src.NotRemoteIpBlocks);
        Report(context, path, ".principals", AuthorizationValues.CheckEmptyValues("Principals", src.Principals));
        Report(context, path, ".requestPrincipals", AuthorizationValues.CheckEmptyValues("RequestPrincipals", src.RequestPrincipals));
        Report(context, path, ".namespaces", AuthorizationValues.CheckEmptyValues("Namespaces", src.Namespaces));
        Report(context, path, ".serviceAccounts", AuthorizationValues.CheckServiceAccount("ServiceAccounts", src.ServiceAccounts));
        Report(context, path, ".trustDomains", AuthorizationValues.CheckTrustDomainValues("TrustDomains", src.TrustDomains));
        Report(context, path, ".ipBlocks", AuthorizationValues.CheckEmptyValues("IpBlocks", src.IpBlocks));
        Report(context, path, ".remoteIpBlocks", AuthorizationValues.CheckEmptyValues("RemoteIpBlocks", src.RemoteIpBlocks));
        Report(context, path, ".notPrincipals", AuthorizationValues.CheckEmptyValues("NotPrincipals", src.NotPrincipals));
        Report(context, path, ".notRequestPrincipals", AuthorizationValues.CheckEmptyValues("NotRequestPrincipals", src.NotRequestPrincipals));
        Report(context, path, ".notNamespaces", AuthorizationValues.CheckEmptyValues("NotNamespaces", src.NotNamespaces));
        Report(context, path, ".notServiceAccounts", AuthorizationValues.CheckServiceAccount("NotServiceAccounts", src.NotServiceAccounts));
        Report(context, path, ".notTrustDomains", AuthorizationValues.CheckTrustDomainValues("NotTrustDomains", src.NotTrustDomains));
        Report(context, path, ".notIpBlocks", AuthorizationValues.CheckEmptyValues("NotIpBlocks", src.NotIpBlocks));
        Report(context, path, ".notRemoteIpBlocks", AuthorizationValues.CheckEmptyValues("NotRemoteIpBlocks", src.NotRemoteIpBlocks));
    }

    private static void ValidateOperation(ValidationContext context, string path, int index, Operation op)
    {
        if (!Any(op.Ports) && !Any(op.Methods) && !Any(op.Paths) && !Any(op.Hosts)
            && !Any(op.NotPorts) && !Any(op.NotMethods) && !Any(op.NotPaths) && !Any(op.NotHosts))
        {
            context.Error(path, $"`to.operation` must not be empty, found at rule {index}");
        }

        AuthorizationValues.ValidatePorts(context, path, ".ports", op.Ports);
        AuthorizationValues.ValidatePorts(context, path, ".notPorts", op.NotPorts);
        Report(context, path, ".ports", AuthorizationValues.CheckEmptyValues("Ports", op.Ports));
        Report(context, path, ".methods", AuthorizationValues.CheckEmptyValues("Methods", op.Methods));
        Report(context, path, ".paths", AuthorizationValues.CheckEmptyValues("Paths", op.Paths));
        Report(context, path, ".hosts", AuthorizationValues.CheckEmptyValues("Hosts", op.Hosts));
        Report(context, path, ".notPorts", AuthorizationValues.CheckEmptyValues("NotPorts", op.NotPorts));
        Report(context, path, ".notMethods", AuthorizationValues.CheckEmptyValues("NotMethods", op.NotMethods));
        Report(context, path, ".notPaths", AuthorizationValues.CheckEmptyValues("NotPaths", op.NotPaths));
        Report(context, path, ".notHosts", AuthorizationValues.CheckEmptyValues("NotHosts", op.NotHosts));
        Report(context, path, ".paths", AuthorizationValues.CheckValidPathTemplate("Paths", op.Paths));
        Report(context, path, ".notPaths", AuthorizationValues.CheckValidPathTemplate("NotPaths", op.NotPaths));
    }

    private static void ValidateCondition(ValidationContext context, string path, Condition condition)
    {
        var key = condition.Key ?? string.Empty;
        if (key.Length == 0)
        {
            context.Error(path + ".key", "`key` must not be empty");
            return;
        }

        if (!Any(condition.Values) && !Any(condition.NotValues))
        {
            context.Error(path, $"at least one of `values` or `notValues` must be set for key {key}");
            return;
        }

        if (AuthorizationValues.ValidateAttribute(key, condition.Values) is { } valueError)
        {
            context.Error(Any(condition.Values) ? path + ".values" : path + ".key", $"invalid `value` for `key` {key}: {valueError}");
        }

        if (AuthorizationValues.ValidateAttribute(key, condition.NotValues) is { } notValueError)
        {
            context.Error(Any(condition.NotValues) ? path + ".notValues" : path + ".key", $"invalid `notValue` for `key` {key}: {notValueError}");
        }
    }

    private static void Report(ValidationContext context, string path, string field, string? error)
    {
        if (error is not null)
        {
            context.Error(path + field, error);
        }
    }

    private static bool Any(IReadOnlyList<string>? values) => values is { Count: > 0 };

    private static int Count(IReadOnlyList<string>? values) => values?.Count ?? 0;
}
