using System.Collections.Frozen;
using Weft.Api.Loading;
using Weft.Api.Model;
using Weft.Api.Validation;

namespace Weft.Control.Config;

/// <summary>
/// The configuration in force, fed file by file. Each file is validated as a whole; a valid resource replaces its previous
/// version, an invalid one is rejected with its findings while its last good version (if any) stays in force, and a file
/// that cannot be read as YAML keeps every resource it held before. Resources that disappear from a file, or whose file is
/// deleted, are removed. Not thread-safe: one caller (the watcher loop) applies changes; readers take <see cref="Current"/>.
/// </summary>
public sealed class ConfigStore(ValidationOptions? options = null)
{
    /// <summary>The namespace of resources that name none, as kubectl applies them.</summary>
    public const string DefaultNamespace = "default";

    private readonly ConfigValidator _validator = new(options);
    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private volatile ConfigSnapshot _current = ConfigSnapshot.Empty;
    private long _generation;

    public ConfigSnapshot Current => _current;

    /// <summary>
    /// Applies new contents for some files (and deletions, given as null text) and returns the keys whose resource changed,
    /// appeared or disappeared. The new snapshot is published before this returns.
    /// </summary>
    public IReadOnlySet<ConfigKey> Apply(IEnumerable<KeyValuePair<string, string?>> changes)
    {
        var before = _current.Resources;
        var generation = _generation + 1;
        foreach (var (path, text) in changes)
        {
            if (text is null)
            {
                _files.Remove(path);
                continue;
            }

            _files[path] = Load(path, text, _files.GetValueOrDefault(path), generation);
        }

        var merged = new Dictionary<ConfigKey, StoredResource>();
        var rejections = new List<ConfigRejection>();
        foreach (var (path, state) in _files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            foreach (var stored in state.Resources)
            {
                if (!merged.TryAdd(stored.Key, stored))
                {
                    var first = merged[stored.Key];
                    rejections.Add(new ConfigRejection(path, stored.Key,
                        [new Diagnostic(Severity.Error, string.Empty, $"{stored.Key} is also defined in {first.File}; the first definition (by file name) is used", stored.Resource.Location, stored.Key.Kind, stored.Key.Namespace, stored.Key.Name)],
                        KeptLastGood: true));
                }
            }

            rejections.AddRange(state.Rejections);
        }

        // Keep a resource's identity (and generation) when nothing about it changed, so consumers can compare cheaply.
        var changed = new HashSet<ConfigKey>();
        foreach (var (key, stored) in merged)
        {
            if (!before.TryGetValue(key, out var old))
            {
                changed.Add(key);
            }
            else if (!ReferenceEquals(old, stored))
            {
                if (SameContent(old, stored))
                {
                    merged[key] = old;
                }
                else
                {
                    changed.Add(key);
                }
            }
        }

        foreach (var key in before.Keys)
        {
            if (!merged.ContainsKey(key))
            {
                changed.Add(key);
            }
        }

        if (changed.Count > 0 || !SameRejections(_current.Rejections, rejections))
        {
            _generation = generation;
            _current = new ConfigSnapshot(generation, merged.ToFrozenDictionary(), rejections);
        }

        return changed;
    }

    private FileState Load(string path, string text, FileState? previous, long generation)
    {
        var report = _validator.Validate([new ConfigFile(path, text)]);
        if (report.FileErrors.Count > 0)
        {
            // The file as a whole cannot be read: nothing in it is trusted, everything it held before stays.
            var kept = previous?.Resources ?? [];
            return new FileState(kept, [new ConfigRejection(path, null, report.FileErrors, kept.Count > 0)]);
        }

        var resources = new List<StoredResource>();
        var rejections = new List<ConfigRejection>();
        foreach (var result in report.Resources)
        {
            if (!result.Checked)
            {
                continue; // A kind outside Istio and Kubernetes core (Gateway API, RBAC, ...): not Weft's to serve.
            }

            var key = result.Kind is null || result.Name is null
                ? (ConfigKey?)null
                : new ConfigKey(result.Kind, string.IsNullOrEmpty(result.Namespace) ? DefaultNamespace : result.Namespace, result.Name);
            if (result.IsValid && result.Resource is not null && key is { } valid)
            {
                resources.Add(new StoredResource(valid, WithNamespace(result.Resource, valid.Namespace), path, generation, Config.ContentHash.Of(result.Resource.Node)));
                continue;
            }

            var lastGood = key is { } k ? previous?.Resources.FirstOrDefault(r => r.Key == k) : null;
            if (lastGood is not null)
            {
                resources.Add(lastGood);
            }

            rejections.Add(new ConfigRejection(path, key, result.Errors.ToArray(), lastGood is not null));
        }

        return new FileState(resources, rejections);
    }

    private static Resource WithNamespace(Resource resource, string ns) =>
        resource.Namespace == ns ? resource : resource with { Metadata = resource.Metadata with { Namespace = ns } };

    private static bool SameContent(StoredResource a, StoredResource b) =>
        a.Key == b.Key && a.File == b.File && a.ContentHash == b.ContentHash;

    private static bool SameRejections(IReadOnlyList<ConfigRejection> a, List<ConfigRejection> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.File == p.Second.File && p.First.Key == p.Second.Key
            && p.First.Errors.Select(e => e.ToString()).SequenceEqual(p.Second.Errors.Select(e => e.ToString())));

    private sealed record FileState(IReadOnlyList<StoredResource> Resources, IReadOnlyList<ConfigRejection> Rejections);
}
