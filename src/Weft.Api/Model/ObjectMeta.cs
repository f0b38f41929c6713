namespace Weft.Api.Model;

/// <summary>The parts of Kubernetes ObjectMeta that Weft reads.</summary>
public sealed record ObjectMeta
{
    public string Name { get; init; } = string.Empty;

    /// <summary>The namespace as written; empty when the document gave none (the loader may fill in a default).</summary>
    public string Namespace { get; init; } = string.Empty;

    public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyMap;

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = EmptyMap;

    public string? ResourceVersion { get; init; }

    public long? Generation { get; init; }

    private static readonly IReadOnlyDictionary<string, string> EmptyMap = new Dictionary<string, string>();
}
