using System.Collections.Frozen;

namespace Weft.Control.Config;

/// <summary>
/// One immutable version of the configuration in force: every valid resource by key, plus what was rejected and why.
/// </summary>
public sealed class ConfigSnapshot
{
    public static readonly ConfigSnapshot Empty = new(0, FrozenDictionary<ConfigKey, StoredResource>.Empty, []);

    public ConfigSnapshot(long generation, IReadOnlyDictionary<ConfigKey, StoredResource> resources, IReadOnlyList<ConfigRejection> rejections)
    {
        Generation = generation;
        Resources = resources as FrozenDictionary<ConfigKey, StoredResource> ?? resources.ToFrozenDictionary();
        Rejections = rejections;
        ByKind = Resources.Values
            .GroupBy(r => r.Key.Kind, StringComparer.Ordinal)
            .ToFrozenDictionary(
                g => g.Key,
                g => (IReadOnlyList<StoredResource>)g.OrderBy(r => r.Key.Namespace, StringComparer.Ordinal).ThenBy(r => r.Key.Name, StringComparer.Ordinal).ToArray(),
                StringComparer.Ordinal);
    }

    /// <summary>Increases with every change to the resources in force.</summary>
    public long Generation { get; }

    public FrozenDictionary<ConfigKey, StoredResource> Resources { get; }

    public IReadOnlyList<ConfigRejection> Rejections { get; }

    private FrozenDictionary<string, IReadOnlyList<StoredResource>> ByKind { get; }

    /// <summary>Resources of one kind ordered by namespace then name.</summary>
    public IReadOnlyList<StoredResource> OfKind(string kind) => ByKind.TryGetValue(kind, out var list) ? list : [];
}
