using Weft.Xds.Envoy.Config.Rbac.V3;
using RbacAction = Weft.Xds.Envoy.Config.Rbac.V3.RBAC.Types.Action;

namespace Weft.Control.Generators.Authorization;

/// <summary>
/// One attribute of a rule with its values (OR-ed) and not-values (a NOT of their OR). Translation errors decide by the
/// policy's action: for ALLOW the error drops the rule (a narrower allow, so less is allowed); for DENY, AUDIT and
/// CUSTOM the value that failed is left out (a broader match, so more is denied or audited). Conditions coming from
/// <c>when</c> are shared by every source of a rule, as in Istio, so a trust-domain rewrite reaches them once per source.
/// </summary>
internal sealed class RuleCondition(string key, IReadOnlyList<string> values, IReadOnlyList<string> notValues, AttributeTranslator translator)
{
    public string Key { get; } = key;

    public IReadOnlyList<string> Values { get; set; } = values;

    public IReadOnlyList<string> NotValues { get; set; } = notValues;

    public AttributeTranslator Translator { get; } = translator;

    /// <summary>The permissions this condition ANDs into its rule (zero to two); null with the error that drops the rule.</summary>
    public (List<Permission>? Rules, string? Error) Permissions(bool forTcp, RbacAction action)
    {
        var result = new List<Permission>();
        if (Values.Count > 0)
        {
            var (rule, error) = Translator.Aggregates ? Translator.Permission(Key, Values, forTcp) : OrOf(Values, forTcp, action);
            if (Drops(action, error))
            {
                return (null, error);
            }

            if (rule is not null)
            {
                result.Add(rule);
            }
        }

        if (NotValues.Count > 0)
        {
            var (rule, error) = Translator.Aggregates ? Translator.Permission(Key, NotValues, forTcp) : OrOf(NotValues, forTcp, action);
            if (Drops(action, error))
            {
                return (null, error);
            }

            if (rule is not null)
            {
                result.Add(RbacNodes.Not(rule));
            }
        }

        return (result, null);
    }

    /// <summary>The principals this condition ANDs into its rule; null with the error that drops the rule.</summary>
    public (List<Principal>? Ids, string? Error) Principals(bool forTcp, bool useAuthenticated, RbacAction action)
    {
        var result = new List<Principal>();
        if (Values.Count > 0)
        {
            var (id, error) = Translator.Aggregates ? Translator.Principal(Key, Values, forTcp) : OrOf(Values, forTcp, useAuthenticated, action);
            if (Drops(action, error))
            {
                return (null, error);
            }

            if (id is not null)
            {
                result.Add(id);
            }
        }

        if (NotValues.Count > 0)
        {
            var (id, error) = Translator.Aggregates ? Translator.Principal(Key, NotValues, forTcp) : OrOf(NotValues, forTcp, useAuthenticated, action);
            if (Drops(action, error))
            {
                return (null, error);
            }

            if (id is not null)
            {
                result.Add(RbacNodes.Not(id));
            }
        }

        return (result, null);
    }

    private static bool Drops(RbacAction action, string? error) => error is not null && action == RbacAction.Allow;

    private Translated<Permission> OrOf(IReadOnlyList<string> values, bool forTcp, RbacAction action)
    {
        var any = new List<Permission>();
        foreach (var value in values)
        {
            var (rule, error) = Translator.Permission(Key, value, forTcp);
            if (Drops(action, error))
            {
                return Translated<Permission>.Fail(error!);
            }

            if (rule is not null)
            {
                any.Add(rule);
            }
        }

        return any.Count > 0 ? Translated<Permission>.Of(RbacNodes.Or(any)) : default;
    }

    private Translated<Principal> OrOf(IReadOnlyList<string> values, bool forTcp, bool useAuthenticated, RbacAction action)
    {
        var any = new List<Principal>();
        foreach (var value in values)
        {
            var (id, error) = Translator.Principal(Key, value, forTcp, useAuthenticated);
            if (Drops(action, error))
            {
                return Translated<Principal>.Fail(error!);
            }

            if (id is not null)
            {
                any.Add(id);
            }
        }

        return any.Count > 0 ? Translated<Principal>.Of(RbacNodes.Or(any)) : default;
    }
}
