using Weft.Api.Documents;

namespace Weft.Api.Model;

/// <summary>
/// One loaded resource: its type, metadata, decoded spec and the document it came from (for file:line lookups).
/// </summary>
/// <param name="Spec">The typed spec (e.g. <c>Networking.VirtualServiceSpec</c>), or the typed object for Kubernetes kinds; null when absent.</param>
public sealed record Resource(
    string ApiVersion,
    string Kind,
    ObjectMeta Metadata,
    object? Spec,
    MapNode Node,
    SourceLocation Location)
{
    public string Group => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion[..ApiVersion.IndexOf('/', StringComparison.Ordinal)] : string.Empty;

    public string Version => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion[(ApiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..] : ApiVersion;

    public string Name => Metadata.Name;

    public string Namespace => Metadata.Namespace;

    /// <summary>"Kind namespace/name", the way istioctl names a resource.</summary>
    public string DisplayName => string.IsNullOrEmpty(Namespace) ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";

    public T SpecAs<T>()
        where T : class => Spec as T ?? throw new InvalidOperationException($"{DisplayName} has no {typeof(T).Name}");
}
