namespace Weft.Api.Schema.Cel;

internal sealed class EvalCall4(
    Func<CelValue, CelValue, CelValue, CelValue, CelValue> function,
    CelInterpretable[] args) : CelInterpretable
{
    public override CelValue Eval(CelValue[] vars)
    {
        var a = args[0].Eval(vars);
        if (a is CelError)
        {
            return a;
        }

        var b = args[1].Eval(vars);
        if (b is CelError)
        {
            return b;
        }

        var c = args[2].Eval(vars);
        if (c is CelError)
        {
            return c;
        }

        var d = args[3].Eval(vars);
        return d is CelError ? d : function(a, b, c, d);
    }
}
