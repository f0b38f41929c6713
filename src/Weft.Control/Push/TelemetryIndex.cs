using System.Collections.Frozen;
using Weft.Api.Model.Telemetry;
using Weft.Control.Config;
using Weft.Control.Model;

namespace Weft.Control.Push;

/// <summary>
/// The Telemetry resources in force, by namespace, and which of them a proxy's telemetry is made of (Istio's
/// applicableTelemetries): the root namespace's resource without a selector (mesh-wide), then the proxy's namespace's
/// (namespace-wide), then every resource of the proxy's namespace whose selector its labels satisfy, in that order; later
/// ones override earlier ones. Within a namespace, resources are taken by name (Istio takes the oldest first, and files
/// carry no creation time). Resources with <c>targetRefs</c> apply only to the gateways they name (see
/// <see cref="PolicyAttachment"/>).
/// </summary>
internal sealed class TelemetryIndex
{
    private readonly FrozenDictionary<string, TelemetryView[]> _byNamespace;
    private readonly string _rootNamespace;

    private TelemetryIndex(FrozenDictionary<string, TelemetryView[]> byNamespace, string rootNamespace)
    {
        _byNamespace = byNamespace;
        _rootNamespace = rootNamespace;
    }

    public bool IsEmpty => _byNamespace.Count == 0;

    /// <summary>Whether any Telemetry selects workloads by label (so proxies of one namespace may differ).</summary>
    public bool AnySelects => _byNamespace.Values.Any(views => views.Any(v => !v.IsNamespaceWide));

    public static TelemetryIndex Build(ConfigSnapshot config, string rootNamespace) => new(
        config.OfKind("Telemetry")
            .Select(r => new TelemetryView(r.Key.Namespace, r.Key.Name, r.Spec<TelemetrySpec>()))
            .GroupBy(t => t.Namespace, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal),
        rootNamespace);

    /// <summary>The resources that make up the telemetry of a proxy, least specific first.</summary>
    public IReadOnlyList<TelemetryView> For(ProxyNode proxy)
    {
        if (IsEmpty)
        {
            return [];
        }

        var applicable = new List<TelemetryView>(3);
        if (Wide(_rootNamespace) is { } root)
        {
            applicable.Add(root);
        }

        if (proxy.Namespace != _rootNamespace && Wide(proxy.Namespace) is { } ns)
        {
            applicable.Add(ns);
        }

        if (_byNamespace.TryGetValue(proxy.Namespace, out var views))
        {
            applicable.AddRange(views.Where(v => !v.IsNamespaceWide
                && PolicyAttachment.Applies(v.Namespace, v.Spec.Selector, v.Spec.TargetRef, v.Spec.TargetRefs, proxy.Namespace, proxy.Labels)));
        }

        return applicable;
    }

    private TelemetryView? Wide(string ns) =>
        _byNamespace.TryGetValue(ns, out var views) ? views.FirstOrDefault(v => v.IsNamespaceWide) : null;
}

/// <summary>A Telemetry resource in force.</summary>
internal sealed record TelemetryView(string Namespace, string Name, TelemetrySpec Spec)
{
    /// <summary>No selector and no target: it applies to its whole namespace (the whole mesh in the root namespace).</summary>
    public bool IsNamespaceWide =>
        Spec.Selector?.MatchLabels is not { Count: > 0 } && Spec.TargetRefs is not { Count: > 0 } && Spec.TargetRef is null;
}
