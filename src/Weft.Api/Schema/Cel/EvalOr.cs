namespace Weft.Api.Schema.Cel;

internal sealed class EvalOr(CelInterpretable left, CelInterpretable right) : CelInterpretable
{
    public override CelValue Eval(CelValue[] vars)
    {
        var l = left.Eval(vars);
        return l is CelBool { Value: true } ? l : CelLogic.Or(l, right.Eval(vars));
    }
}
