using Weft.Api.Documents;

namespace Weft.Api.Model.Kubernetes;

/// <summary>A Namespace has nothing in its spec Weft reads; its labels (on metadata) matter.</summary>
public sealed record NamespaceSpec
{
    internal static object Decode(MapNode node) => new NamespaceSpec();
}
