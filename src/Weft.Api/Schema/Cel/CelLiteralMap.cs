namespace Weft.Api.Schema.Cel;

/// <summary>A map built by a map literal. Keys compare as CEL keys do (1, 1u and 1.0 are the same key).</summary>
internal sealed class CelLiteralMap : CelMap
{
    public static readonly CelLiteralMap Empty = new([], []);

    private readonly CelValue[] _keys;
    private readonly CelValue[] _values;

    public CelLiteralMap(CelValue[] keys, CelValue[] values)
    {
        _keys = keys;
        _values = values;
    }

    public override int Count => _keys.Length;

    public override CelValue KeyAt(int index) => _keys[index];

    public override CelValue ValueAt(int index) => _values[index];

    public override bool TryGet(CelValue key, out CelValue value)
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            if (CelEquality.Equal(_keys[i], key))
            {
                value = _values[i];
                return true;
            }
        }

        value = null!;
        return false;
    }

    public override bool TryGetField(string name, out CelValue value)
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            if (_keys[i] is CelString s && s.Value == name)
            {
                value = _values[i];
                return true;
            }
        }

        value = null!;
        return false;
    }
}
