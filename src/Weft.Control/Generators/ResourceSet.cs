using System.Security.Cryptography;
using System.Text;

namespace Weft.Control.Generators;

/// <summary>
/// The resources of one type generated for a proxy, with a version that stands for their names and versions together,
/// so a push can tell in one comparison that a proxy already holds exactly these. Sets shared by a class of proxies are
/// built once and handed to each; a set may also be the concatenation of a shared part and a proxy's own part.
/// </summary>
public sealed class ResourceSet
{
    private readonly ResourceSet[] _parts;
    private IReadOnlyList<XdsResource>? _resources;
    private Dictionary<string, XdsResource>? _byName;
    private string? _version;

    public ResourceSet(IReadOnlyList<XdsResource> resources)
    {
        _resources = resources;
        _parts = [];
    }

    private ResourceSet(ResourceSet[] parts) => _parts = parts;

    public static ResourceSet Empty { get; } = new(Array.Empty<XdsResource>());

    /// <summary>The parts in order; a set made of one part is that part.</summary>
    public static ResourceSet Concat(params ResourceSet[] parts)
    {
        var nonEmpty = parts.Where(p => p.Count > 0).ToArray();
        return nonEmpty.Length switch
        {
            0 => Empty,
            1 => nonEmpty[0],
            _ => new ResourceSet(nonEmpty),
        };
    }

    public IReadOnlyList<XdsResource> Resources => _resources ??= _parts.SelectMany(p => p.Resources).ToArray();

    public int Count => _resources?.Count ?? _parts.Sum(p => p.Count);

    /// <summary>Equal for sets of equal names and versions in equal order (and for equal concatenations).</summary>
    public string Version => _version ??= ComputeVersion();

    public bool TryGet(string name, out XdsResource resource)
    {
        if (_parts.Length > 0)
        {
            foreach (var part in _parts)
            {
                if (part.TryGet(name, out resource))
                {
                    return true;
                }
            }

            resource = null!;
            return false;
        }

        var byName = _byName;
        if (byName is null)
        {
            byName = new Dictionary<string, XdsResource>(_resources!.Count, StringComparer.Ordinal);
            foreach (var r in _resources)
            {
                byName.TryAdd(r.Name, r);
            }

            _byName = byName;
        }

        return byName.TryGetValue(name, out resource!);
    }

    public bool Contains(string name) => TryGet(name, out _);

    /// <summary>Whether this set holds the resource at this version.</summary>
    public bool Holds(XdsResource resource) => TryGet(resource.Name, out var held) && (ReferenceEquals(held, resource) || held.Version == resource.Version);

    /// <summary>The subset whose names pass <paramref name="keep"/>.</summary>
    public ResourceSet Where(Func<string, bool> keep) => new(Resources.Where(r => keep(r.Name)).ToArray());

    private string ComputeVersion()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (_parts.Length > 0)
        {
            hash.AppendData("parts"u8);
            foreach (var part in _parts)
            {
                hash.AppendData(Encoding.UTF8.GetBytes(part.Version));
            }
        }
        else
        {
            foreach (var resource in _resources!)
            {
                hash.AppendData(Encoding.UTF8.GetBytes(resource.Name));
                hash.AppendData([0]);
                hash.AppendData(Encoding.UTF8.GetBytes(resource.Version));
                hash.AppendData([0]);
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset()[..16]);
    }
}
