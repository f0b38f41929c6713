namespace Weft.Api.Schema.Cel;

internal sealed class EvalCall3(
    Func<CelValue, CelValue, CelValue, CelValue> function,
    CelInterpretable arg0,
    CelInterpretable arg1,
    CelInterpretable arg2) : CelInterpretable
{
    public override CelValue Eval(CelValue[] vars)
    {
        var a = arg0.Eval(vars);
        if (a is CelError)
        {
            return a;
        }

        var b = arg1.Eval(vars);
        if (b is CelError)
        {
            return b;
        }

        var c = arg2.Eval(vars);
        return c is CelError ? c : function(a, b, c);
    }
}
