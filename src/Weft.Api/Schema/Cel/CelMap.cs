namespace Weft.Api.Schema.Cel;

/// <summary>A CEL map. Entries are positional so that comprehensions can walk keys without allocating enumerators.</summary>
internal abstract class CelMap : CelValue
{
    public abstract int Count { get; }

    public abstract CelValue KeyAt(int index);

    public abstract CelValue ValueAt(int index);

    public abstract bool TryGet(CelValue key, out CelValue value);

    /// <summary>Looks up a string key, which is all field selection (<c>m.f</c>) ever needs.</summary>
    public abstract bool TryGetField(string name, out CelValue value);

    public override CelType Type => CelType.Map;
}
