namespace Weft.Api.Schema.Cel;

/// <summary>Equality, ordering, membership and indexing operators.</summary>
internal static class CelComparisons
{
    public static CelValue Equal(CelValue a, CelValue b) => CelBool.Of(CelEquality.Equal(a, b));

    public static CelValue NotEqual(CelValue a, CelValue b) => CelBool.Of(!CelEquality.Equal(a, b));

    public static CelValue Less(CelValue a, CelValue b) => Order(CelOperator.Less, a, b, static c => c < 0);

    public static CelValue LessEqual(CelValue a, CelValue b) => Order(CelOperator.LessEqual, a, b, static c => c <= 0);

    public static CelValue Greater(CelValue a, CelValue b) => Order(CelOperator.Greater, a, b, static c => c > 0);

    public static CelValue GreaterEqual(CelValue a, CelValue b) => Order(CelOperator.GreaterEqual, a, b, static c => c >= 0);

    /// <summary><c>x in list</c> tests element equality; <c>x in map</c> tests for a key.</summary>
    public static CelValue In(CelValue element, CelValue container)
    {
        switch (container)
        {
            case CelList list:
                for (var i = 0; i < list.Count; i++)
                {
                    if (CelEquality.Equal(element, list[i]))
                    {
                        return CelBool.True;
                    }
                }

                return CelBool.False;
            case CelMap map:
                return CelBool.Of(map.TryGet(element, out _));
            default:
                return CelError.NoOverload(CelOperator.In, element, container);
        }
    }

    public static CelValue Index(CelValue container, CelValue index)
    {
        switch (container)
        {
            case CelList list:
                long? position = index switch
                {
                    CelInt i => i.Value,
                    CelUint u => u.Value > long.MaxValue ? long.MaxValue : (long)u.Value,
                    CelDouble d when d.Value == Math.Truncate(d.Value) && Math.Abs(d.Value) < 9.2e18 => (long)d.Value,
                    _ => null,
                };
                if (position is null)
                {
                    return new CelError($"unsupported index type '{index.Type.Name}' for a list");
                }

                return position >= 0 && position < list.Count
                    ? list[(int)position.Value]
                    : new CelError($"index out of range: {position}");
            case CelMap map:
                return map.TryGet(index, out var value) ? value : new CelError("no such key: " + index);
            default:
                return CelError.NoOverload(CelOperator.Index, container, index);
        }
    }

    private static CelValue Order(string name, CelValue a, CelValue b, Func<int, bool> test)
    {
        if (CelEquality.IsNaN(a) || CelEquality.IsNaN(b))
        {
            return CelEquality.IsNumber(a) && CelEquality.IsNumber(b)
                ? new CelError("NaN values cannot be ordered")
                : CelError.NoOverload(name, a, b);
        }

        var c = CelEquality.Compare(a, b);
        return c is null ? CelError.NoOverload(name, a, b) : CelBool.Of(test(c.Value));
    }
}
