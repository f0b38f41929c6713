namespace Weft.Api.Schema.Cel;

/// <summary><c>has(a.f)</c>: whether field f is present; a itself must still evaluate.</summary>
internal sealed class EvalHas(CelInterpretable operand, string field) : CelInterpretable
{
    public override CelValue Eval(CelValue[] vars)
    {
        var value = operand.Eval(vars);
        return value switch
        {
            CelMap map => CelBool.Of(map.TryGetField(field, out _)),
            CelError => value,
            _ => new CelError($"type '{value.Type.Name}' does not support field selection"),
        };
    }
}
