namespace Weft.Api.Schema.Cel;

internal sealed class EvalAnd(CelInterpretable left, CelInterpretable right) : CelInterpretable
{
    public override CelValue Eval(CelValue[] vars)
    {
        var l = left.Eval(vars);
        return l is CelBool { Value: false } ? l : CelLogic.And(l, right.Eval(vars));
    }
}
