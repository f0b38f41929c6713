using System.Globalization;

namespace Weft.Proxy.Telemetry.Expressions;

/// <summary>
/// CEL's operators on non-error operands (the nodes pass errors on before calling these). Arithmetic needs both
/// operands of one type (<c>1 + 1.0</c> is an error), overflow and division by zero are errors; ordering and equality
/// work across int, uint and double by value, as in the current CEL specification.
/// </summary>
internal static class CelOperators
{
    public static CelValue Add(CelValue l, CelValue r)
    {
        switch (l.Kind, r.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                var sum = unchecked(l.AsInt + r.AsInt);
                return ((l.AsInt ^ sum) & (r.AsInt ^ sum)) < 0 ? Overflow : CelValue.Int(sum);
            case (CelKind.Uint, CelKind.Uint):
                var usum = unchecked(l.AsUint + r.AsUint);
                return usum < l.AsUint ? Overflow : CelValue.Uint(usum);
            case (CelKind.Double, CelKind.Double):
                return CelValue.Double(l.AsDouble + r.AsDouble);
            case (CelKind.String, CelKind.String):
                return CelValue.String(l.AsString + r.AsString);
            case (CelKind.List, CelKind.List):
                return CelValue.List([.. l.AsList, .. r.AsList]);
            case (CelKind.Duration, CelKind.Duration):
                return CelValue.Duration(l.AsDuration + r.AsDuration);
            case (CelKind.Timestamp, CelKind.Duration):
                return CelValue.Timestamp(l.AsTimestamp + r.AsDuration);
            case (CelKind.Duration, CelKind.Timestamp):
                return CelValue.Timestamp(r.AsTimestamp + l.AsDuration);
            default:
                return NoOverload("_+_", l, r);
        }
    }

    public static CelValue Subtract(CelValue l, CelValue r)
    {
        switch (l.Kind, r.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                var difference = unchecked(l.AsInt - r.AsInt);
                return ((l.AsInt ^ r.AsInt) & (l.AsInt ^ difference)) < 0 ? Overflow : CelValue.Int(difference);
            case (CelKind.Uint, CelKind.Uint):
                return r.AsUint > l.AsUint ? Overflow : CelValue.Uint(l.AsUint - r.AsUint);
            case (CelKind.Double, CelKind.Double):
                return CelValue.Double(l.AsDouble - r.AsDouble);
            case (CelKind.Duration, CelKind.Duration):
                return CelValue.Duration(l.AsDuration - r.AsDuration);
            case (CelKind.Timestamp, CelKind.Timestamp):
                return CelValue.Duration(l.AsTimestamp - r.AsTimestamp);
            case (CelKind.Timestamp, CelKind.Duration):
                return CelValue.Timestamp(l.AsTimestamp - r.AsDuration);
            default:
                return NoOverload("_-_", l, r);
        }
    }

    public static CelValue Multiply(CelValue l, CelValue r)
    {
        switch (l.Kind, r.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                var product = (Int128)l.AsInt * r.AsInt;
                return product >= long.MinValue && product <= long.MaxValue ? CelValue.Int((long)product) : Overflow;
            case (CelKind.Uint, CelKind.Uint):
                var uproduct = (UInt128)l.AsUint * r.AsUint;
                return uproduct > ulong.MaxValue ? Overflow : CelValue.Uint((ulong)uproduct);
            case (CelKind.Double, CelKind.Double):
                return CelValue.Double(l.AsDouble * r.AsDouble);
            default:
                return NoOverload("_*_", l, r);
        }
    }

    public static CelValue Divide(CelValue l, CelValue r)
    {
        switch (l.Kind, r.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                return r.AsInt == 0 ? DivisionByZero : l.AsInt == long.MinValue && r.AsInt == -1 ? Overflow : CelValue.Int(l.AsInt / r.AsInt);
            case (CelKind.Uint, CelKind.Uint):
                return r.AsUint == 0 ? DivisionByZero : CelValue.Uint(l.AsUint / r.AsUint);
            case (CelKind.Double, CelKind.Double):
                return CelValue.Double(l.AsDouble / r.AsDouble);
            default:
                return NoOverload("_/_", l, r);
        }
    }

    public static CelValue Modulo(CelValue l, CelValue r)
    {
        switch (l.Kind, r.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                return r.AsInt == 0 ? CelValue.Error("modulus by zero") : l.AsInt == long.MinValue && r.AsInt == -1 ? Overflow : CelValue.Int(l.AsInt % r.AsInt);
            case (CelKind.Uint, CelKind.Uint):
                return r.AsUint == 0 ? CelValue.Error("modulus by zero") : CelValue.Uint(l.AsUint % r.AsUint);
            default:
                return NoOverload("_%_", l, r);
        }
    }

    public static CelValue Negate(CelValue v) => v.Kind switch
    {
        CelKind.Int => v.AsInt == long.MinValue ? Overflow : CelValue.Int(-v.AsInt),
        CelKind.Double => CelValue.Double(-v.AsDouble),
        CelKind.Duration => CelValue.Duration(-v.AsDuration),
        _ => CelValue.Error($"no matching overload for -_ on {v.TypeName}"),
    };

    public static CelValue Not(CelValue v) =>
        v.Kind == CelKind.Bool ? CelValue.Bool(!v.AsBool) : CelValue.Error($"no matching overload for !_ on {v.TypeName}");

    public static CelValue Equal(CelValue l, CelValue r) => CelValue.Bool(l.Equals(r));

    public static CelValue NotEqual(CelValue l, CelValue r) => CelValue.Bool(!l.Equals(r));

    public static CelValue Less(CelValue l, CelValue r) => Order(l, r, "_<_", c => c < 0);

    public static CelValue LessOrEqual(CelValue l, CelValue r) => Order(l, r, "_<=_", c => c <= 0);

    public static CelValue Greater(CelValue l, CelValue r) => Order(l, r, "_>_", c => c > 0);

    public static CelValue GreaterOrEqual(CelValue l, CelValue r) => Order(l, r, "_>=_", c => c >= 0);

    /// <summary><c>element in container</c>: an equal element of a list, or a key of a map.</summary>
    public static CelValue In(CelValue element, CelValue container)
    {
        switch (container.Kind)
        {
            case CelKind.List:
                foreach (var item in container.AsList)
                {
                    if (item.Equals(element))
                    {
                        return CelValue.True;
                    }
                }

                return CelValue.False;
            case CelKind.Map:
                return CelValue.Bool(container.AsMap.TryGet(element, out _));
            default:
                return NoOverload("@in", element, container);
        }
    }

    /// <summary><c>container[index]</c>: a list by an integral number, a map by key; out of range or absent is an error.</summary>
    public static CelValue Index(CelValue container, CelValue index)
    {
        if (container.IsError || index.IsError)
        {
            return container.IsError ? container : index;
        }

        switch (container.Kind)
        {
            case CelKind.List:
                var list = container.AsList;
                long position;
                switch (index.Kind)
                {
                    case CelKind.Int:
                        position = index.AsInt;
                        break;
                    case CelKind.Uint:
                        position = index.AsUint > long.MaxValue ? -1 : (long)index.AsUint;
                        break;
                    case CelKind.Double when index.AsDouble == Math.Floor(index.AsDouble) && Math.Abs(index.AsDouble) < 1e18:
                        position = (long)index.AsDouble;
                        break;
                    default:
                        return CelValue.Error($"no matching overload for _[_] on list and {index.TypeName}");
                }

                return position >= 0 && position < list.Count ? list[(int)position] : CelValue.Error($"index out of bounds: {index}");
            case CelKind.Map:
                return container.AsMap.TryGet(index, out var value) ? value : CelValue.Error($"no such key: {index}");
            default:
                return CelValue.Error($"no matching overload for _[_] on {container.TypeName}");
        }
    }

    /// <summary>The order of two numbers of any numeric types by value; null when either is NaN.</summary>
    public static int? CompareNumbers(CelValue l, CelValue r)
    {
        switch (l.Kind, r.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                return l.AsInt.CompareTo(r.AsInt);
            case (CelKind.Uint, CelKind.Uint):
                return l.AsUint.CompareTo(r.AsUint);
            case (CelKind.Int, CelKind.Uint):
                return l.AsInt < 0 ? -1 : ((ulong)l.AsInt).CompareTo(r.AsUint);
            case (CelKind.Uint, CelKind.Int):
                return r.AsInt < 0 ? 1 : l.AsUint.CompareTo((ulong)r.AsInt);
            default:
                var a = ToDouble(l);
                var b = ToDouble(r);
                return double.IsNaN(a) || double.IsNaN(b) ? null : a.CompareTo(b);
        }
    }

    /// <summary>A duration as CEL prints it: seconds with a fraction and an <c>s</c> (<c>1.5s</c>).</summary>
    public static string FormatDuration(TimeSpan duration) =>
        ((decimal)duration.Ticks / TimeSpan.TicksPerSecond).ToString("0.#######", CultureInfo.InvariantCulture) + "s";

    /// <summary>Go's duration syntax, as CEL's <c>duration()</c> takes it: <c>1h2m3.5s</c>, <c>100ms</c>, <c>-1s</c>, units h m s ms us µs ns.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        var span = text.AsSpan();
        var negative = false;
        if (span.Length > 0 && span[0] is '-' or '+')
        {
            negative = span[0] == '-';
            span = span[1..];
        }

        if (span.SequenceEqual("0"))
        {
            return TimeSpan.Zero;
        }

        if (span.IsEmpty)
        {
            return null;
        }

        decimal ticks = 0;
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !decimal.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return null;
            }

            span = span[digits..];
            var unit = 0;
            while (unit < span.Length && !char.IsAsciiDigit(span[unit]) && span[unit] != '.')
            {
                unit++;
            }

            decimal? scale = span[..unit] switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" or "µs" or "μs" => 10,
                "ns" => 0.01m,
                _ => null,
            };
            if (scale is null)
            {
                return null;
            }

            ticks += amount * scale.Value;
            span = span[unit..];
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                return null;
            }
        }

        var result = TimeSpan.FromTicks((long)decimal.Truncate(ticks));
        return negative ? -result : result;
    }

    public static CelValue NoOverload(string op, CelValue l, CelValue r) => CelValue.Error($"no matching overload for {op} on {l.TypeName} and {r.TypeName}");

    private static CelValue Order(CelValue l, CelValue r, string op, Func<int, bool> test)
    {
        int? comparison = (l.Kind, r.Kind) switch
        {
            _ when l.IsNumber && r.IsNumber => CompareNumbers(l, r),
            (CelKind.String, CelKind.String) => Math.Sign(string.CompareOrdinal(l.AsString, r.AsString)),
            (CelKind.Bool, CelKind.Bool) => l.AsBool.CompareTo(r.AsBool),
            (CelKind.Duration, CelKind.Duration) => l.AsDuration.CompareTo(r.AsDuration),
            (CelKind.Timestamp, CelKind.Timestamp) => l.AsTimestamp.CompareTo(r.AsTimestamp),
            _ => int.MinValue,
        };
        if (comparison == int.MinValue)
        {
            return NoOverload(op, l, r);
        }

        // NaN is unordered: every comparison with it is false.
        return CelValue.Bool(comparison is { } c && test(c));
    }

    private static double ToDouble(CelValue v) => v.Kind switch
    {
        CelKind.Int => v.AsInt,
        CelKind.Uint => v.AsUint,
        _ => v.AsDouble,
    };

    private static CelValue Overflow => CelValue.Error("return error for overflow");

    private static CelValue DivisionByZero => CelValue.Error("divide by zero");
}
