namespace Weft.Api.Schema.Cel;

/// <summary>
/// CEL's heterogeneous equality and ordering. Numbers compare by value across int, uint and double
/// (Kubernetes enables cross-type numeric comparisons); values of unrelated types are simply unequal.
/// </summary>
internal static class CelEquality
{
    public static bool Equal(CelValue a, CelValue b)
    {
        switch (a)
        {
            case CelInt or CelUint or CelDouble:
                return IsNumber(b) && CompareNumbers(a, b) == 0;
            case CelString s:
                return b is CelString s2 && s.Value == s2.Value;
            case CelBool x:
                return b is CelBool y && x.Value == y.Value;
            case CelNull:
                return b is CelNull;
            case CelDuration d:
                return b is CelDuration e && d.Nanoseconds == e.Nanoseconds;
            case CelType t:
                return b is CelType t2 && t.Name == t2.Name;
            case CelUrl u:
                return b is CelUrl u2 && u.Text == u2.Text;
            case CelList l:
                return b is CelList l2 && ListsEqual(l, l2);
            case CelMap m:
                return b is CelMap m2 && MapsEqual(m, m2);
            default:
                return false;
        }
    }

    /// <summary>Orders two values: negative, zero or positive; null when CEL defines no order between them.</summary>
    public static int? Compare(CelValue a, CelValue b)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return CompareNumbers(a, b);
        }

        return (a, b) switch
        {
            (CelString s, CelString t) => CelText.CompareCodePoints(s.Value, t.Value),
            (CelBool x, CelBool y) => x.Value.CompareTo(y.Value),
            (CelDuration d, CelDuration e) => d.Nanoseconds.CompareTo(e.Nanoseconds),
            _ => null,
        };
    }

    public static bool IsNumber(CelValue v) => v is CelInt or CelUint or CelDouble;

    public static bool IsNaN(CelValue v) => v is CelDouble d && double.IsNaN(d.Value);

    /// <summary>Compares numbers exactly; NaN compares unequal to everything (callers reject ordering NaN).</summary>
    private static int? CompareNumbers(CelValue a, CelValue b) => (a, b) switch
    {
        (CelInt x, CelInt y) => x.Value.CompareTo(y.Value),
        (CelUint x, CelUint y) => x.Value.CompareTo(y.Value),
        (CelDouble x, CelDouble y) => CompareDoubles(x.Value, y.Value),
        (CelInt x, CelUint y) => x.Value < 0 ? -1 : ((ulong)x.Value).CompareTo(y.Value),
        (CelUint x, CelInt y) => y.Value < 0 ? 1 : x.Value.CompareTo((ulong)y.Value),
        (CelInt x, CelDouble y) => CompareIntDouble(x.Value, y.Value),
        (CelDouble x, CelInt y) => -CompareIntDouble(y.Value, x.Value),
        (CelUint x, CelDouble y) => CompareUintDouble(x.Value, y.Value),
        (CelDouble x, CelUint y) => -CompareUintDouble(y.Value, x.Value),
        _ => null,
    };

    private static int? CompareDoubles(double x, double y) => double.IsNaN(x) || double.IsNaN(y) ? null : x.CompareTo(y);

    // Converting the integer to double would round above 2^53; comparing against the double's range first
    // and then in the integer domain keeps the comparison exact.
    private static int? CompareIntDouble(long i, double d)
    {
        if (double.IsNaN(d))
        {
            return null;
        }

        if (d < -9.2233720368547758e18)
        {
            return 1;
        }

        if (d >= 9.2233720368547758e18)
        {
            return -1;
        }

        var truncated = (long)d;
        if (i != truncated)
        {
            return i.CompareTo(truncated);
        }

        var fraction = d - truncated;
        return fraction > 0 ? -1 : fraction < 0 ? 1 : 0;
    }

    private static int? CompareUintDouble(ulong u, double d)
    {
        if (double.IsNaN(d))
        {
            return null;
        }

        if (d < 0)
        {
            return 1;
        }

        if (d >= 1.8446744073709552e19)
        {
            return -1;
        }

        var truncated = (ulong)d;
        if (u != truncated)
        {
            return u.CompareTo(truncated);
        }

        return d - truncated > 0 ? -1 : 0;
    }

    private static bool ListsEqual(CelList a, CelList b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!Equal(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool MapsEqual(CelMap a, CelMap b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!b.TryGet(a.KeyAt(i), out var other) || !Equal(a.ValueAt(i), other))
            {
                return false;
            }
        }

        return true;
    }
}
