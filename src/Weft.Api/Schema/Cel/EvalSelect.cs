namespace Weft.Api.Schema.Cel;

/// <summary><c>a.f</c>: selecting an absent field is an error, as in Kubernetes.</summary>
internal sealed class EvalSelect(CelInterpretable operand, string field) : CelInterpretable
{
    public override CelValue Eval(CelValue[] vars)
    {
        var value = operand.Eval(vars);
        return value switch
        {
            CelMap map => map.TryGetField(field, out var result) ? result : new CelError("no such key: " + field),
            CelError => value,
            _ => new CelError($"type '{value.Type.Name}' does not support field selection"),
        };
    }
}
