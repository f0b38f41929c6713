namespace Weft.Api.Schema.Cel;

internal sealed class CelBool : CelValue
{
    public static readonly CelBool True = new(true);
    public static readonly CelBool False = new(false);

    private CelBool(bool value) => Value = value;

    public bool Value { get; }

    public override CelType Type => CelType.Bool;

    public static CelBool Of(bool value) => value ? True : False;

    public override string ToString() => Value ? "true" : "false";
}
