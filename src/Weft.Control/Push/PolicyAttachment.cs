using Weft.Api.Model.Common;

namespace Weft.Control.Push;

/// <summary>
/// Whether a workload-scoped policy (AuthorizationPolicy, RequestAuthentication) applies to a workload, by Istio's rules:
/// a policy in the workload's namespace or the root namespace, whose <c>selector</c> (if any) is a subset of its labels.
/// A policy with <c>targetRef</c>/<c>targetRefs</c> applies only to Gateway API gateways it names (a workload labelled
/// <c>gateway.networking.k8s.io/gateway-name</c> in the policy's namespace); a sidecar ignores it, as in Istio.
/// </summary>
internal static class PolicyAttachment
{
    public const string GatewayNameLabel = "gateway.networking.k8s.io/gateway-name";

    /// <summary>The namespaces whose policies can apply to a workload in <paramref name="ns"/>: the root's, then its own.</summary>
    public static string[] Namespaces(string ns, string rootNamespace) => ns == rootNamespace ? [rootNamespace] : [rootNamespace, ns];

    public static bool Applies(
        string policyNamespace,
        WorkloadSelector? selector,
        PolicyTargetReference? targetRef,
        IReadOnlyList<PolicyTargetReference>? targetRefs,
        string ns,
        IReadOnlyDictionary<string, string> labels)
    {
        var targets = targetRefs is { Count: > 0 } refs ? refs
            : targetRef is { } single ? [single]
            : [];
        if (!labels.TryGetValue(GatewayNameLabel, out var gateway))
        {
            return targets.Count == 0 && Selected(selector, labels);
        }

        if (targets.Count == 0)
        {
            // Istio's ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY, on by default.
            return Selected(selector, labels);
        }

        return policyNamespace == ns && targets.Any(t =>
            (t.Namespace is null or "" || t.Namespace == ns)
            && t.Group == "gateway.networking.k8s.io" && t.Kind == "Gateway" && t.Name == gateway);
    }

    private static bool Selected(WorkloadSelector? selector, IReadOnlyDictionary<string, string> labels) =>
        selector?.MatchLabels is not { Count: > 0 } matchLabels
        || matchLabels.All(kv => labels.TryGetValue(kv.Key, out var value) && value == kv.Value);
}
