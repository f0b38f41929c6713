namespace Weft.Api.Documents;

/// <summary>One document of a multi-document YAML stream (or one JSON value).</summary>
/// <param name="Root">The document's root, or null for an empty document.</param>
/// <param name="Index">Zero-based position among the stream's documents, empty ones included.</param>
public sealed record YamlDocument(Node? Root, SourceLocation Location, int Index);
