namespace Weft.Api.Schema.Cel;

internal sealed class EvalVariable(int slot) : CelInterpretable
{
    public override CelValue Eval(CelValue[] vars) => vars[slot];
}
