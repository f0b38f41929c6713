namespace Weft.Api.Schema.Cel;

/// <summary>A strict two-argument function (receiver calls pass the receiver first).</summary>
internal sealed class EvalCall2(Func<CelValue, CelValue, CelValue> function, CelInterpretable arg0, CelInterpretable arg1) : CelInterpretable
{
    public override CelValue Eval(CelValue[] vars)
    {
        var a = arg0.Eval(vars);
        if (a is CelError)
        {
            return a;
        }

        var b = arg1.Eval(vars);
        return b is CelError ? b : function(a, b);
    }
}
