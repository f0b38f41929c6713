using Weft.Control.Config;

namespace Weft.Control.Hosting;

/// <summary>The JSON shape of /debug/configz.</summary>
internal sealed record ConfigzView(string Directory, long Generation, IReadOnlyList<ConfigzView.ResourceEntry> Resources, IReadOnlyList<ConfigzView.RejectionEntry> Rejected)
{
    public static ConfigzView Of(ConfigSnapshot snapshot, string directory) => new(
        directory,
        snapshot.Generation,
        snapshot.Resources.Values.OrderBy(r => r.Key.Kind, StringComparer.Ordinal).ThenBy(r => r.Key.Namespace, StringComparer.Ordinal).ThenBy(r => r.Key.Name, StringComparer.Ordinal)
            .Select(r => new ResourceEntry(r.Key.Kind, r.Key.Namespace, r.Key.Name, r.Resource.ApiVersion, r.File, r.Resource.Location.Line, r.Generation))
            .ToArray(),
        snapshot.Rejections.Select(r => new RejectionEntry(
            r.File,
            r.Key?.Kind,
            r.Key?.Namespace,
            r.Key?.Name,
            r.KeptLastGood,
            r.Errors.Select(e => new ErrorEntry(e.Location.IsKnown ? e.Location.Line : null, e.FieldPath.Length > 0 ? e.FieldPath : null, e.Message, e.ToString())).ToArray())).ToArray());

    public sealed record ResourceEntry(string Kind, string Namespace, string Name, string ApiVersion, string File, int Line, long Generation);

    public sealed record RejectionEntry(string File, string? Kind, string? Namespace, string? Name, bool KeptLastGood, IReadOnlyList<ErrorEntry> Errors);

    public sealed record ErrorEntry(int? Line, string? Field, string Message, string Text);
}
