using Weft.Api.Documents;
using Weft.Api.Model;
using Weft.Api.Model.Decoding;
using Weft.Api.Validation;

namespace Weft.Api.Loading;

/// <summary>
/// Turns one document into a <see cref="Resource"/>: finds its kind, checks the version is served,
/// reads metadata and decodes the spec. A document that cannot be a resource yields a diagnostic instead.
/// </summary>
public static class ResourceDecoder
{
    /// <summary>Decodes <paramref name="root"/>; returns null (and adds a diagnostic) when it is not a resource Weft knows.</summary>
    public static Resource? Decode(MapNode root, ICollection<Diagnostic> diagnostics)
    {
        var apiVersion = NodeRead.String(root["apiVersion"]);
        var kindName = NodeRead.String(root["kind"]);
        var meta = ReadMeta(root["metadata"] as MapNode);
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kindName))
        {
            var missing = string.IsNullOrEmpty(apiVersion) ? "apiVersion" : "kind";
            diagnostics.Add(new Diagnostic(Severity.Error, missing, "Required value: every resource needs apiVersion and kind", root.Location, kindName, meta.Namespace, meta.Name));
            return null;
        }

        var (group, version) = KindRegistry.SplitApiVersion(apiVersion);
        var kind = KindRegistry.Find(group, kindName);
        if (kind is null)
        {
            var known = KindRegistry.All.Where(k => k.Kind == kindName).Select(k => k.Group.Length == 0 ? "v1" : k.Group).ToList();
            var hint = known.Count > 0 ? $"; {kindName} is served by {string.Join(", ", known)}" : string.Empty;
            diagnostics.Add(new Diagnostic(Severity.Error, "kind", $"unknown kind {kindName} in {apiVersion}{hint}", root.Location, kindName, meta.Namespace, meta.Name));
            return null;
        }

        var served = kind.Version(version);
        if (served is not { Served: true })
        {
            var versions = string.Join(", ", kind.Versions.Where(v => v.Served).Select(v => Qualified(kind.Group, v.Name)));
            diagnostics.Add(new Diagnostic(Severity.Error, "apiVersion", $"{kindName} is not served in version {apiVersion} (served: {versions})", root.Location, kindName, meta.Namespace, meta.Name));
            return null;
        }

        var specNode = kind.DecodesWholeObject ? root : root["spec"] as MapNode;
        var spec = specNode is not null && kind.DecodeSpec is not null ? kind.DecodeSpec(specNode) : null;
        return new Resource(apiVersion, kindName, meta, spec, root, root.Location);
    }

    private static string Qualified(string group, string version) => group.Length == 0 ? version : group + "/" + version;

    internal static ObjectMeta ReadMeta(MapNode? meta)
    {
        if (meta is null)
        {
            return new ObjectMeta();
        }

        return new ObjectMeta
        {
            Name = NodeRead.String(meta["name"]) ?? string.Empty,
            Namespace = NodeRead.String(meta["namespace"]) ?? string.Empty,
            Labels = NodeRead.Map(meta["labels"], NodeRead.String) ?? new Dictionary<string, string>(),
            Annotations = NodeRead.Map(meta["annotations"], NodeRead.String) ?? new Dictionary<string, string>(),
            ResourceVersion = NodeRead.String(meta["resourceVersion"]),
            Generation = NodeRead.Long(meta["generation"]),
        };
    }
}
