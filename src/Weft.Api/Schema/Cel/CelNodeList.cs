using Weft.Api.Documents;

namespace Weft.Api.Schema.Cel;

/// <summary>A document array seen as a CEL list; items are converted on first access and kept.</summary>
internal sealed class CelNodeList(ListNode node) : CelList
{
    private readonly CelValue?[] _converted = new CelValue?[node.Count];

    public override int Count => _converted.Length;

    public override CelValue this[int index] => _converted[index] ??= FromNode(node.Items[index]);
}
