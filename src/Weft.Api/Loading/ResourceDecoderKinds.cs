using Weft.Api.Documents;

namespace Weft.Api.Loading;

internal static class ResourceDecoderKinds
{
    /// <summary>A Kubernetes List (kind "List" or "*List" in v1) whose items are resources.</summary>
    public static bool IsList(MapNode root) =>
        root["kind"] is ScalarNode { Text: var kind } && kind.EndsWith("List", StringComparison.Ordinal) && root["items"] is ListNode;
}
