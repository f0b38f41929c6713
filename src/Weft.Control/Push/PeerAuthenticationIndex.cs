using System.Collections.Frozen;
using Weft.Api.Model.Security;
using Weft.Control.Config;

namespace Weft.Control.Push;

/// <summary>
/// The PeerAuthentications in force by namespace, built once per push so that the mode of every endpoint, cluster and
/// inbound port is a lookup: per namespace the policy without a selector that counts (namespace-wide, or mesh-wide in
/// the root namespace) and the policies with one. Within a namespace policies are taken by name (Istio takes the oldest,
/// and files carry no creation time).
/// </summary>
internal sealed class PeerAuthenticationIndex
{
    private readonly FrozenDictionary<string, PeerAuthenticationSpec> _wide;
    private readonly FrozenDictionary<string, PeerAuthenticationSpec[]> _selecting;

    private PeerAuthenticationIndex(FrozenDictionary<string, PeerAuthenticationSpec> wide, FrozenDictionary<string, PeerAuthenticationSpec[]> selecting)
    {
        _wide = wide;
        _selecting = selecting;
    }

    /// <summary>Whether there is no policy at all: every workload is then PERMISSIVE.</summary>
    public bool IsEmpty => _wide.Count == 0 && _selecting.Count == 0;

    public static PeerAuthenticationIndex Build(ConfigSnapshot config)
    {
        var all = config.OfKind("PeerAuthentication")
            .Select(r => (r.Key, Spec: r.Spec<PeerAuthenticationSpec>()))
            .OrderBy(p => p.Key.Namespace, StringComparer.Ordinal)
            .ThenBy(p => p.Key.Name, StringComparer.Ordinal)
            .ToArray();
        return new PeerAuthenticationIndex(
            all.Where(p => !Selects(p.Spec))
                .GroupBy(p => p.Key.Namespace, StringComparer.Ordinal)
                .ToFrozenDictionary(g => g.Key, g => g.First().Spec, StringComparer.Ordinal),
            all.Where(p => Selects(p.Spec))
                .GroupBy(p => p.Key.Namespace, StringComparer.Ordinal)
                .ToFrozenDictionary(g => g.Key, g => g.Select(p => p.Spec).ToArray(), StringComparer.Ordinal));
    }

    /// <summary>The policy of <paramref name="ns"/> without a selector (mesh-wide for the root namespace); null if none.</summary>
    public PeerAuthenticationSpec? Wide(string ns) => _wide.GetValueOrDefault(ns);

    /// <summary>The first policy of <paramref name="ns"/> whose selector the labels satisfy; null if none.</summary>
    public PeerAuthenticationSpec? Selecting(string ns, IReadOnlyDictionary<string, string> labels) =>
        _selecting.TryGetValue(ns, out var policies)
            ? policies.FirstOrDefault(p => p.Selector!.MatchLabels!.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value))
            : null;

    private static bool Selects(PeerAuthenticationSpec spec) => spec.Selector?.MatchLabels is { Count: > 0 };
}
