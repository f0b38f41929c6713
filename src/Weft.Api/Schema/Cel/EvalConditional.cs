namespace Weft.Api.Schema.Cel;

internal sealed class EvalConditional(CelInterpretable condition, CelInterpretable whenTrue, CelInterpretable whenFalse) : CelInterpretable
{
    public override CelValue Eval(CelValue[] vars) => condition.Eval(vars) switch
    {
        CelBool { Value: true } => whenTrue.Eval(vars),
        CelBool => whenFalse.Eval(vars),
        CelError e => e,
        var other => CelError.NoOverload(CelOperator.Conditional, other),
    };
}
