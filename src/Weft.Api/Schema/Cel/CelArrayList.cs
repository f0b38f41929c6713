namespace Weft.Api.Schema.Cel;

/// <summary>A list built during evaluation (literals, concatenation, map and filter results).</summary>
internal sealed class CelArrayList(CelValue[] items) : CelList
{
    public static readonly CelArrayList Empty = new([]);

    private readonly CelValue[] _items = items;

    public override int Count => _items.Length;

    public override CelValue this[int index] => _items[index];
}
