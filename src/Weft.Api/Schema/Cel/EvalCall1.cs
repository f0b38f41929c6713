namespace Weft.Api.Schema.Cel;

/// <summary>A strict one-argument function: an error argument is the result.</summary>
internal sealed class EvalCall1(Func<CelValue, CelValue> function, CelInterpretable arg) : CelInterpretable
{
    public override CelValue Eval(CelValue[] vars)
    {
        var a = arg.Eval(vars);
        return a is CelError ? a : function(a);
    }
}
