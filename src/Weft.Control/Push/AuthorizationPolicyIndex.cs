using System.Collections.Frozen;
using Weft.Api.Model.Security;
using Weft.Control.Config;

namespace Weft.Control.Push;

/// <summary>
/// The AuthorizationPolicies in force, by namespace, and which of them apply to a workload (Istio's
/// ListAuthorizationPolicies): those in the root namespace and in the workload's namespace whose <c>selector</c> (if
/// any) is a subset of its labels. A policy with <c>targetRef</c>/<c>targetRefs</c> applies only to Gateway API
/// gateways it names (a workload labelled <c>gateway.networking.k8s.io/gateway-name</c> in the policy's namespace); a
/// sidecar ignores it, as in Istio. Within a namespace policies are taken by name (Istio orders by creation time, which
/// files do not have).
/// </summary>
internal sealed class AuthorizationPolicyIndex
{
    public const string GatewayNameLabel = PolicyAttachment.GatewayNameLabel;

    private readonly FrozenDictionary<string, AuthorizationPolicyView[]> _byNamespace;

    private AuthorizationPolicyIndex(FrozenDictionary<string, AuthorizationPolicyView[]> byNamespace, string rootNamespace)
    {
        _byNamespace = byNamespace;
        RootNamespace = rootNamespace;
    }

    public string RootNamespace { get; }

    /// <summary>Whether there is any policy at all (most meshes have none; then nothing is ever selected).</summary>
    public bool IsEmpty => _byNamespace.Count == 0;

    public static AuthorizationPolicyIndex Build(ConfigSnapshot config, string rootNamespace) => new(
        config.OfKind("AuthorizationPolicy")
            .Select(r => new AuthorizationPolicyView(r.Key.Namespace, r.Key.Name, r.Resource.Metadata.Annotations, r.Spec<AuthorizationPolicySpec>()))
            .GroupBy(p => p.Namespace, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(p => p.Name, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal),
        rootNamespace);

    /// <summary>The policies applying to a workload in <paramref name="ns"/> with these labels.</summary>
    public SelectedAuthorizationPolicies Select(string ns, IReadOnlyDictionary<string, string> labels)
    {
        if (IsEmpty)
        {
            return SelectedAuthorizationPolicies.None;
        }

        var selected = new List<AuthorizationPolicyView>();
        foreach (var lookup in ns == RootNamespace ? [RootNamespace] : new[] { RootNamespace, ns })
        {
            if (_byNamespace.TryGetValue(lookup, out var policies))
            {
                selected.AddRange(policies.Where(p => Applies(p, ns, labels)));
            }
        }

        return SelectedAuthorizationPolicies.Of(selected);
    }

    private static bool Applies(AuthorizationPolicyView policy, string ns, IReadOnlyDictionary<string, string> labels) =>
        PolicyAttachment.Applies(policy.Namespace, policy.Spec.Selector, policy.Spec.TargetRef, policy.Spec.TargetRefs, ns, labels);
}
