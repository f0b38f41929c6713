namespace Weft.Api.Documents;

/// <summary>
/// Bounds that keep hostile input from hanging the loader or exhausting memory. Exceeding one is a
/// load error naming the bound, never a crash.
/// </summary>
public sealed record LoadLimits
{
    public static LoadLimits Default { get; } = new();

    /// <summary>Largest file read, in bytes.</summary>
    public long MaxFileBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Largest single document, in characters (Kubernetes refuses requests over 3 MiB).</summary>
    public int MaxDocumentChars { get; init; } = 3 * 1024 * 1024;

    /// <summary>Deepest nesting of mappings and sequences.</summary>
    public int MaxDepth { get; init; } = 100;

    /// <summary>Most nodes one document may stand for once every alias is expanded (stops "billion laughs").</summary>
    public long MaxExpandedNodes { get; init; } = 1_000_000;
}
