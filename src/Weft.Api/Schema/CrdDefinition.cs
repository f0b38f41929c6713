namespace Weft.Api.Schema;

/// <summary>What a CustomResourceDefinition says about one kind: its group, names and per-version schemas.</summary>
public sealed record CrdDefinition(string Group, string Kind, string Plural, string Scope, IReadOnlyList<CrdVersion> Versions);

/// <summary>One served version of a CRD and the schema of the whole object (apiVersion, kind, metadata, spec, status).</summary>
public sealed record CrdVersion(string Name, bool Served, bool Storage, SchemaNode Schema);
