namespace Weft.Api.Schema.Cel;

internal sealed class CelNull : CelValue
{
    public static readonly CelNull Instance = new();

    private CelNull()
    {
    }

    public override CelType Type => CelType.Null;

    public override string ToString() => "null";
}
