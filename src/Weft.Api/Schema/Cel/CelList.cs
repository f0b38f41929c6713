namespace Weft.Api.Schema.Cel;

internal abstract class CelList : CelValue
{
    public abstract int Count { get; }

    public abstract CelValue this[int index] { get; }

    public override CelType Type => CelType.List;
}
