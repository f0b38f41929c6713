using System.Globalization;
using Weft.Api.GoCompat;

namespace Weft.Api.Schema.Cel;

/// <summary>The type conversion functions int(), uint(), double(), string(), bool(), duration(), dyn() and type().</summary>
internal static class CelConversions
{
    public static CelValue ToInt(CelValue v) => v switch
    {
        CelInt => v,
        CelUint u => u.Value <= long.MaxValue ? CelInt.Of((long)u.Value) : IntOverflow,

        // Mirrors cel-go, which rejects the boundary values themselves as well.
        CelDouble d => double.IsFinite(d.Value) && d.Value > -9.2233720368547758e18 && d.Value < 9.2233720368547758e18
            ? CelInt.Of((long)d.Value)
            : IntOverflow,
        CelString s => long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)
            ? CelInt.Of(i)
            : ConversionError("int"),
        CelDuration d => CelInt.Of(d.Nanoseconds),
        _ => CelError.NoOverload("int", v),
    };

    public static CelValue ToUint(CelValue v) => v switch
    {
        CelUint => v,
        CelInt i => i.Value >= 0 ? new CelUint((ulong)i.Value) : UintOverflow,
        CelDouble d => double.IsFinite(d.Value) && d.Value >= 0 && d.Value < 1.8446744073709552e19
            ? new CelUint((ulong)d.Value)
            : UintOverflow,
        CelString s => ulong.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var u)
            ? new CelUint(u)
            : ConversionError("uint"),
        _ => CelError.NoOverload("uint", v),
    };

    public static CelValue ToDouble(CelValue v) => v switch
    {
        CelDouble => v,
        CelInt i => new CelDouble(i.Value),
        CelUint u => new CelDouble(u.Value),
        CelString s => ParseDouble(s.Value) is { } d ? new CelDouble(d) : ConversionError("double"),
        _ => CelError.NoOverload("double", v),
    };

    public static CelValue ToStringValue(CelValue v) => v switch
    {
        CelString => v,
        CelInt or CelBool => new CelString(v.ToString()!),
        CelUint u => new CelString(u.Value.ToString(CultureInfo.InvariantCulture)),
        CelDouble d => new CelString(GoFloatFormat.FormatG(d.Value)),
        CelDuration d => new CelString(GoDuration.Format(d.Nanoseconds)),
        _ => CelError.NoOverload("string", v),
    };

    /// <summary>Accepts the spellings Go's strconv.ParseBool accepts.</summary>
    public static CelValue ToBool(CelValue v) => v switch
    {
        CelBool => v,
        CelString { Value: "1" or "t" or "T" or "true" or "TRUE" or "True" } => CelBool.True,
        CelString { Value: "0" or "f" or "F" or "false" or "FALSE" or "False" } => CelBool.False,
        CelString => ConversionError("bool"),
        _ => CelError.NoOverload("bool", v),
    };

    public static CelValue ToDuration(CelValue v) => v switch
    {
        CelDuration => v,
        CelString s => GoDuration.TryParse(s.Value, out var nanos, out _)
            ? new CelDuration(nanos)
            : ConversionError(CelType.Duration.Name),
        _ => CelError.NoOverload("duration", v),
    };

    public static CelValue Dyn(CelValue v) => v;

    public static CelValue TypeOf(CelValue v) => v.Type;

    /// <summary>Go's strconv.ParseFloat for decimal input: no surrounding space, overflow is an error.</summary>
    private static double? ParseDouble(string s)
    {
        var body = s.StartsWith('+') || s.StartsWith('-') ? s[1..] : s;
        var negative = s.StartsWith('-');
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            return negative ? double.NegativeInfinity : double.PositiveInfinity;
        }

        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }

        const NumberStyles style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        if (body.Length == 0 || !(char.IsAsciiDigit(body[0]) || body[0] == '.')
            || !double.TryParse(s, style, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
        {
            return null;
        }

        return d;
    }

    private static readonly CelError IntOverflow = new("integer overflow");
    private static readonly CelError UintOverflow = new("unsigned integer overflow");

    // cel-go's wording; Kubernetes puts it in the validation error, so users (and Istio's tests) see it.
    private static CelError ConversionError(string target) => new($"type conversion error from 'string' to '{target}'");
}
