namespace Weft.Api.Schema.Cel;

/// <summary>Arithmetic operators. Integer overflow is an error, never a wrap-around; int and double do not mix.</summary>
internal static class CelArithmetic
{
    private static readonly CelError Overflow = new("integer overflow");

    public static CelValue Add(CelValue a, CelValue b) => (a, b) switch
    {
        (CelInt x, CelInt y) => AddInt(x.Value, y.Value, out var r) ? CelInt.Of(r) : Overflow,
        (CelUint x, CelUint y) => x.Value <= ulong.MaxValue - y.Value ? new CelUint(x.Value + y.Value) : Overflow,
        (CelDouble x, CelDouble y) => new CelDouble(x.Value + y.Value),
        (CelString x, CelString y) => new CelString(x.Value + y.Value),
        (CelList x, CelList y) => Concat(x, y),
        (CelDuration x, CelDuration y) => AddInt(x.Nanoseconds, y.Nanoseconds, out var r) ? new CelDuration(r) : Overflow,
        _ => CelError.NoOverload(CelOperator.Add, a, b),
    };

    public static CelValue Subtract(CelValue a, CelValue b) => (a, b) switch
    {
        (CelInt x, CelInt y) => SubtractInt(x.Value, y.Value, out var r) ? CelInt.Of(r) : Overflow,
        (CelUint x, CelUint y) => x.Value >= y.Value ? new CelUint(x.Value - y.Value) : Overflow,
        (CelDouble x, CelDouble y) => new CelDouble(x.Value - y.Value),
        (CelDuration x, CelDuration y) => SubtractInt(x.Nanoseconds, y.Nanoseconds, out var r) ? new CelDuration(r) : Overflow,
        _ => CelError.NoOverload(CelOperator.Subtract, a, b),
    };

    public static CelValue Multiply(CelValue a, CelValue b)
    {
        switch (a, b)
        {
            case (CelInt x, CelInt y):
                var high = Math.BigMul(x.Value, y.Value, out var low);
                return high == (low >> 63) ? CelInt.Of(low) : Overflow;
            case (CelUint x, CelUint y):
                return Math.BigMul(x.Value, y.Value, out var ulow) == 0 ? new CelUint(ulow) : Overflow;
            case (CelDouble x, CelDouble y):
                return new CelDouble(x.Value * y.Value);
            default:
                return CelError.NoOverload(CelOperator.Multiply, a, b);
        }
    }

    public static CelValue Divide(CelValue a, CelValue b) => (a, b) switch
    {
        (CelInt, CelInt { Value: 0 }) or (CelUint, CelUint { Value: 0 }) => new CelError("division by zero"),
        (CelInt { Value: long.MinValue }, CelInt { Value: -1 }) => Overflow,
        (CelInt x, CelInt y) => CelInt.Of(x.Value / y.Value),
        (CelUint x, CelUint y) => new CelUint(x.Value / y.Value),
        (CelDouble x, CelDouble y) => new CelDouble(x.Value / y.Value),
        _ => CelError.NoOverload(CelOperator.Divide, a, b),
    };

    public static CelValue Modulo(CelValue a, CelValue b) => (a, b) switch
    {
        (CelInt, CelInt { Value: 0 }) or (CelUint, CelUint { Value: 0 }) => new CelError("modulus by zero"),
        (CelInt { Value: long.MinValue }, CelInt { Value: -1 }) => Overflow,
        (CelInt x, CelInt y) => CelInt.Of(x.Value % y.Value),
        (CelUint x, CelUint y) => new CelUint(x.Value % y.Value),
        _ => CelError.NoOverload(CelOperator.Modulo, a, b),
    };

    public static CelValue Negate(CelValue a) => a switch
    {
        CelInt { Value: long.MinValue } => Overflow,
        CelInt x => CelInt.Of(-x.Value),
        CelDouble x => new CelDouble(-x.Value),
        CelDuration { Nanoseconds: long.MinValue } => Overflow,
        CelDuration x => new CelDuration(-x.Nanoseconds),
        _ => CelError.NoOverload(CelOperator.Negate, a),
    };

    public static CelValue Not(CelValue a) => a is CelBool b ? CelBool.Of(!b.Value) : CelError.NoOverload(CelOperator.LogicalNot, a);

    private static bool AddInt(long x, long y, out long result)
    {
        result = unchecked(x + y);
        return ((x ^ result) & (y ^ result)) >= 0;
    }

    private static bool SubtractInt(long x, long y, out long result)
    {
        result = unchecked(x - y);
        return ((x ^ y) & (x ^ result)) >= 0;
    }

    private static CelArrayList Concat(CelList x, CelList y)
    {
        var items = new CelValue[x.Count + y.Count];
        for (var i = 0; i < x.Count; i++)
        {
            items[i] = x[i];
        }

        for (var i = 0; i < y.Count; i++)
        {
            items[x.Count + i] = y[i];
        }

        return new CelArrayList(items);
    }
}
