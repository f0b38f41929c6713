namespace Weft.Api.Schema.Cel;

/// <summary>Duration accessors; each truncates toward zero, as cel-go's do.</summary>
internal static class CelDurations
{
    public static CelValue Hours(CelValue v) => Part(v, "getHours", 3_600_000_000_000);

    public static CelValue Minutes(CelValue v) => Part(v, "getMinutes", 60_000_000_000);

    public static CelValue Seconds(CelValue v) => Part(v, "getSeconds", 1_000_000_000);

    public static CelValue Milliseconds(CelValue v) => Part(v, "getMilliseconds", 1_000_000);

    private static CelValue Part(CelValue v, string function, long unit) =>
        v is CelDuration d ? CelInt.Of(d.Nanoseconds / unit) : CelError.NoOverload(function, v);
}
