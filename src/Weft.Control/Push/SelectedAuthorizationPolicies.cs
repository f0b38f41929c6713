namespace Weft.Control.Push;

/// <summary>The AuthorizationPolicies that apply to one workload, by action, each list in selection order.</summary>
internal sealed record SelectedAuthorizationPolicies(
    IReadOnlyList<AuthorizationPolicyView> Custom,
    IReadOnlyList<AuthorizationPolicyView> Deny,
    IReadOnlyList<AuthorizationPolicyView> Allow,
    IReadOnlyList<AuthorizationPolicyView> Audit)
{
    public static SelectedAuthorizationPolicies None { get; } = new([], [], [], []);

    public bool IsEmpty => Custom.Count == 0 && Deny.Count == 0 && Allow.Count == 0 && Audit.Count == 0;

    /// <summary>Sorts policies by action as Istio does; actions it does not know are left out.</summary>
    public static SelectedAuthorizationPolicies Of(IEnumerable<AuthorizationPolicyView> policies)
    {
        List<AuthorizationPolicyView> custom = [], deny = [], allow = [], audit = [];
        foreach (var policy in policies)
        {
            var list = policy.Action switch
            {
                "ALLOW" => allow,
                "DENY" => deny,
                "AUDIT" => audit,
                "CUSTOM" => custom,
                _ => null,
            };
            list?.Add(policy);
        }

        return custom.Count + deny.Count + allow.Count + audit.Count == 0 ? None : new(custom, deny, allow, audit);
    }
}
