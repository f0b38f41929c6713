using Weft.Api.Documents;
using Weft.Api.Schema;

namespace Weft.Api.Model;

/// <summary>A kind Weft understands: its API group, the versions served, and how to decode its spec.</summary>
public sealed record ResourceKind(
    string Group,
    string Kind,
    string Plural,
    bool Namespaced,
    IReadOnlyList<ResourceVersion> Versions,
    Func<MapNode, object>? DecodeSpec,
    bool DecodesWholeObject = false)
{
    /// <summary>
    /// True for kinds whose content sits beside metadata rather than under <c>spec</c> (ConfigMap, Secret,
    /// EndpointSlice): <see cref="DecodeSpec"/> then receives the whole object.
    /// </summary>
    public bool DecodesWholeObject { get; init; } = DecodesWholeObject;

    public string StorageVersion => Versions.FirstOrDefault(v => v.Storage)?.Name ?? Versions[0].Name;

    public ResourceVersion? Version(string name)
    {
        foreach (var v in Versions)
        {
            if (v.Name == name)
            {
                return v;
            }
        }

        return null;
    }
}

/// <summary>One served version of a kind; <see cref="Schema"/> is null for kinds checked only by their typed decoder.</summary>
public sealed record ResourceVersion(string Name, bool Served, bool Storage, Func<SchemaNode>? Schema);
