namespace Weft.Api.Schema.Cel;

internal sealed class EvalMap(CelInterpretable[] keys, CelInterpretable[] values) : CelInterpretable
{
    public override CelValue Eval(CelValue[] vars)
    {
        if (keys.Length == 0)
        {
            return CelLiteralMap.Empty;
        }

        var k = new CelValue[keys.Length];
        var v = new CelValue[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            k[i] = keys[i].Eval(vars);
            if (k[i] is CelError)
            {
                return k[i];
            }

            if (k[i] is not (CelInt or CelUint or CelBool or CelString))
            {
                return new CelError($"unsupported map key type: {k[i].Type.Name}");
            }

            for (var j = 0; j < i; j++)
            {
                if (CelEquality.Equal(k[j], k[i]))
                {
                    return new CelError($"repeated key in map literal: {k[i]}");
                }
            }

            v[i] = values[i].Eval(vars);
            if (v[i] is CelError)
            {
                return v[i];
            }
        }

        return new CelLiteralMap(k, v);
    }
}
