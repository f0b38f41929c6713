using System.Collections.Frozen;
using Weft.Api.Model.Security;
using Weft.Control.Config;

namespace Weft.Control.Push;

/// <summary>
/// The RequestAuthentications in force, by namespace, and which of them apply to a workload (Istio's
/// GetJwtPoliciesForWorkload): those in the root namespace and the workload's namespace that select it (see
/// <see cref="PolicyAttachment"/>). All that apply are combined; their JWT rules are later ordered by issuer.
/// </summary>
internal sealed class RequestAuthenticationIndex
{
    private readonly FrozenDictionary<string, RequestAuthenticationView[]> _byNamespace;
    private readonly string _rootNamespace;

    private RequestAuthenticationIndex(FrozenDictionary<string, RequestAuthenticationView[]> byNamespace, string rootNamespace)
    {
        _byNamespace = byNamespace;
        _rootNamespace = rootNamespace;
    }

    public bool IsEmpty => _byNamespace.Count == 0;

    public static RequestAuthenticationIndex Build(ConfigSnapshot config, string rootNamespace) => new(
        config.OfKind("RequestAuthentication")
            .Select(r => new RequestAuthenticationView(r.Key.Namespace, r.Key.Name, r.Spec<RequestAuthenticationSpec>()))
            .GroupBy(p => p.Namespace, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(p => p.Name, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal),
        rootNamespace);

    /// <summary>The policies applying to a workload in <paramref name="ns"/> with these labels (root namespace first).</summary>
    public IReadOnlyList<RequestAuthenticationView> Select(string ns, IReadOnlyDictionary<string, string> labels)
    {
        if (IsEmpty)
        {
            return [];
        }

        var selected = new List<RequestAuthenticationView>();
        foreach (var lookup in PolicyAttachment.Namespaces(ns, _rootNamespace))
        {
            if (_byNamespace.TryGetValue(lookup, out var policies))
            {
                selected.AddRange(policies.Where(p => PolicyAttachment.Applies(p.Namespace, p.Spec.Selector, p.Spec.TargetRef, p.Spec.TargetRefs, ns, labels)));
            }
        }

        return selected;
    }
}

/// <summary>A RequestAuthentication in force.</summary>
internal sealed record RequestAuthenticationView(string Namespace, string Name, RequestAuthenticationSpec Spec);
