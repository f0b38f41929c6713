namespace Weft.Api.Schema.Cel;

/// <summary>
/// The iteration macros. Lists iterate their elements and maps their keys. <c>all</c> and <c>exists</c>
/// combine like <c>&amp;&amp;</c> and <c>||</c> (so one false, resp. true, element absorbs errors from others);
/// <c>exists_one</c>, <c>map</c> and <c>filter</c> fail on the first error.
/// </summary>
internal sealed class EvalComprehension(
    CelComprehensionKind kind,
    CelInterpretable range,
    int slot,
    CelInterpretable? predicate,
    CelInterpretable? transform) : CelInterpretable
{
    public override CelValue Eval(CelValue[] vars)
    {
        var target = range.Eval(vars);
        int count;
        switch (target)
        {
            case CelList list:
                count = list.Count;
                break;
            case CelMap map:
                count = map.Count;
                break;
            case CelError:
                return target;
            default:
                return new CelError($"type '{target.Type.Name}' cannot be iterated");
        }

        return kind switch
        {
            CelComprehensionKind.All => Quantify(target, count, vars, decisive: false),
            CelComprehensionKind.Exists => Quantify(target, count, vars, decisive: true),
            CelComprehensionKind.ExistsOne => ExactlyOne(target, count, vars),
            _ => Collect(target, count, vars),
        };
    }

    private static CelValue Element(CelValue target, int index) =>
        target is CelList list ? list[index] : ((CelMap)target).KeyAt(index);

    private CelValue Quantify(CelValue target, int count, CelValue[] vars, bool decisive)
    {
        CelValue accumulated = CelBool.Of(!decisive);
        for (var i = 0; i < count; i++)
        {
            vars[slot] = Element(target, i);
            var result = predicate!.Eval(vars);
            accumulated = decisive ? CelLogic.Or(accumulated, result) : CelLogic.And(accumulated, result);
            if (accumulated is CelBool b && b.Value == decisive)
            {
                return accumulated;
            }
        }

        return accumulated;
    }

    private CelValue ExactlyOne(CelValue target, int count, CelValue[] vars)
    {
        var matches = 0;
        for (var i = 0; i < count; i++)
        {
            vars[slot] = Element(target, i);
            switch (predicate!.Eval(vars))
            {
                case CelBool { Value: true }:
                    matches++;
                    break;
                case CelBool:
                    break;
                case CelError e:
                    return e;
                case var other:
                    return CelError.NoOverload("exists_one", other);
            }
        }

        return CelBool.Of(matches == 1);
    }

    private CelValue Collect(CelValue target, int count, CelValue[] vars)
    {
        var results = new List<CelValue>(kind == CelComprehensionKind.Map ? count : 0);
        for (var i = 0; i < count; i++)
        {
            var element = Element(target, i);
            vars[slot] = element;
            if (predicate is not null)
            {
                switch (predicate.Eval(vars))
                {
                    case CelBool { Value: true }:
                        break;
                    case CelBool:
                        continue;
                    case CelError e:
                        return e;
                    case var other:
                        return CelError.NoOverload(kind == CelComprehensionKind.Filter ? "filter" : "map", other);
                }
            }

            if (transform is null)
            {
                results.Add(element);
                continue;
            }

            var mapped = transform.Eval(vars);
            if (mapped is CelError)
            {
                return mapped;
            }

            results.Add(mapped);
        }

        return new CelArrayList([.. results]);
    }
}
