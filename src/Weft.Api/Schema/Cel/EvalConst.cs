namespace Weft.Api.Schema.Cel;

internal sealed class EvalConst(CelValue value) : CelInterpretable
{
    public CelValue Value { get; } = value;

    public override CelValue Eval(CelValue[] vars) => Value;
}
