namespace Weft.Api.Schema.Cel;

internal sealed class EvalList(CelInterpretable[] items) : CelInterpretable
{
    public override CelValue Eval(CelValue[] vars)
    {
        if (items.Length == 0)
        {
            return CelArrayList.Empty;
        }

        var values = new CelValue[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            values[i] = items[i].Eval(vars);
            if (values[i] is CelError)
            {
                return values[i];
            }
        }

        return new CelArrayList(values);
    }
}
