using Weft.Api.Documents;

namespace Weft.Api.Schema.Cel;

/// <summary>A document object seen as a CEL map with string keys; values are converted on first access and kept.</summary>
internal sealed class CelNodeMap(MapNode node) : CelMap
{
    private readonly CelValue?[] _values = new CelValue?[node.Count];
    private CelString?[]? _keys;

    public override int Count => _values.Length;

    public override CelValue KeyAt(int index)
    {
        _keys ??= new CelString?[_values.Length];
        return _keys[index] ??= new CelString(node.Entries[index].Key);
    }

    public override CelValue ValueAt(int index) => _values[index] ??= FromNode(node.Entries[index].Value);

    public override bool TryGet(CelValue key, out CelValue value)
    {
        if (key is CelString s)
        {
            return TryGetField(s.Value, out value);
        }

        value = null!;
        return false;
    }

    public override bool TryGetField(string name, out CelValue value)
    {
        var entries = node.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Key == name)
            {
                value = ValueAt(i);
                return true;
            }
        }

        value = null!;
        return false;
    }
}
