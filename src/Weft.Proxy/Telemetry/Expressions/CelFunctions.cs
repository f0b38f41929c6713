using System.Globalization;
using System.Text.RegularExpressions;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Xds;

namespace Weft.Proxy.Telemetry.Expressions;

/// <summary>
/// CEL's standard functions this evaluator has, bound by name and arity when an expression is parsed: <c>size</c>,
/// <c>startsWith</c>, <c>endsWith</c>, <c>contains</c>, <c>matches</c> (RE2 syntax, a search as RE2's partial match),
/// the conversions <c>int</c>, <c>uint</c>, <c>double</c>, <c>string</c>, <c>duration</c>, <c>timestamp</c>, and the
/// strings extension's <c>lowerAscii</c> and <c>upperAscii</c>.
/// </summary>
internal static class CelFunctions
{
    /// <summary>A function of one argument (a receiver call's receiver counts as one); null when there is none.</summary>
    public static Func<CelValue, CelValue>? Unary(string name, bool receiver) => (name, receiver) switch
    {
        ("size", _) => Size,
        ("int", false) => ToInt,
        ("uint", false) => ToUint,
        ("double", false) => ToDouble,
        ("string", false) => ToText,
        ("duration", false) => ToDuration,
        ("timestamp", false) => ToTimestamp,
        ("lowerAscii", true) => static v => Text(v, "lowerAscii", static s => CelValue.String(AsciiCase(s, upper: false))),
        ("upperAscii", true) => static v => Text(v, "upperAscii", static s => CelValue.String(AsciiCase(s, upper: true))),
        _ => null,
    };

    /// <summary>A function of two arguments (receiver first); null when there is none.</summary>
    public static Func<CelValue, CelValue, CelValue>? Binary(string name, bool receiver) => (name, receiver) switch
    {
        ("startsWith", true) => static (s, p) => Strings(s, p, "startsWith", static (a, b) => a.StartsWith(b, StringComparison.Ordinal)),
        ("endsWith", true) => static (s, p) => Strings(s, p, "endsWith", static (a, b) => a.EndsWith(b, StringComparison.Ordinal)),
        ("contains", true) => static (s, p) => Strings(s, p, "contains", static (a, b) => a.Contains(b, StringComparison.Ordinal)),
        ("matches", _) => Matches,
        _ => null,
    };

    /// <summary>Whether a name is a function this evaluator knows under some arity, for a clearer error.</summary>
    public static bool Known(string name) => name is "size" or "int" or "uint" or "double" or "string" or "duration" or "timestamp"
        or "lowerAscii" or "upperAscii" or "startsWith" or "endsWith" or "contains" or "matches";

    /// <summary>A pattern as <c>matches</c> takes it; an invalid one is a <see cref="FormatException"/>.</summary>
    public static Regex Pattern(string pattern)
    {
        try
        {
            return Re2.Search(pattern);
        }
        catch (Exception e) when (e is XdsRejectedException or ArgumentException)
        {
            throw new FormatException($"invalid regular expression '{pattern}': {e.Message}", e);
        }
    }

    public static CelValue IsMatch(Regex pattern, string text)
    {
        try
        {
            return CelValue.Bool(pattern.IsMatch(text));
        }
        catch (RegexMatchTimeoutException)
        {
            return CelValue.Error("regular expression evaluation timed out");
        }
    }

    private static CelValue Size(CelValue v) => v.Kind switch
    {
        // CEL counts code points, not UTF-16 units.
        CelKind.String => CelValue.Int(CodePoints(v.AsString)),
        CelKind.List => CelValue.Int(v.AsList.Count),
        CelKind.Map => CelValue.Int(v.AsMap.Count),
        _ => CelValue.Error($"no matching overload for size on {v.TypeName}"),
    };

    private static CelValue Matches(CelValue text, CelValue pattern)
    {
        if (text.Kind != CelKind.String || pattern.Kind != CelKind.String)
        {
            return CelOperators.NoOverload("matches", text, pattern);
        }

        Regex regex;
        try
        {
            regex = Pattern(pattern.AsString);
        }
        catch (FormatException e)
        {
            return CelValue.Error(e.Message);
        }

        return IsMatch(regex, text.AsString);
    }

    private static CelValue ToInt(CelValue v) => v.Kind switch
    {
        CelKind.Int => v,
        CelKind.Uint => v.AsUint <= long.MaxValue ? CelValue.Int((long)v.AsUint) : RangeError("int"),
        CelKind.Double => v.AsDouble is > -9.2233720368547758E18 and < 9.2233720368547758E18 ? CelValue.Int((long)v.AsDouble) : RangeError("int"),
        CelKind.String => long.TryParse(v.AsString, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? CelValue.Int(i) : CelValue.Error($"cannot convert '{v.AsString}' to int"),
        CelKind.Timestamp => CelValue.Int(v.AsTimestamp.ToUnixTimeSeconds()),
        _ => CelValue.Error($"no matching overload for int on {v.TypeName}"),
    };

    private static CelValue ToUint(CelValue v) => v.Kind switch
    {
        CelKind.Uint => v,
        CelKind.Int => v.AsInt >= 0 ? CelValue.Uint((ulong)v.AsInt) : RangeError("uint"),
        CelKind.Double => v.AsDouble is > -1 and < 1.8446744073709552E19 ? CelValue.Uint((ulong)v.AsDouble) : RangeError("uint"),
        CelKind.String => ulong.TryParse(v.AsString, NumberStyles.None, CultureInfo.InvariantCulture, out var u) ? CelValue.Uint(u) : CelValue.Error($"cannot convert '{v.AsString}' to uint"),
        _ => CelValue.Error($"no matching overload for uint on {v.TypeName}"),
    };

    private static CelValue ToDouble(CelValue v) => v.Kind switch
    {
        CelKind.Double => v,
        CelKind.Int => CelValue.Double(v.AsInt),
        CelKind.Uint => CelValue.Double(v.AsUint),
        CelKind.String => double.TryParse(v.AsString, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? CelValue.Double(d) : CelValue.Error($"cannot convert '{v.AsString}' to double"),
        _ => CelValue.Error($"no matching overload for double on {v.TypeName}"),
    };

    private static CelValue ToText(CelValue v) => v.Kind switch
    {
        CelKind.String => v,
        CelKind.Int or CelKind.Double or CelKind.Bool or CelKind.Duration or CelKind.Timestamp => CelValue.String(v.ToString()),
        CelKind.Uint => CelValue.String(v.AsUint.ToString(CultureInfo.InvariantCulture)),
        _ => CelValue.Error($"no matching overload for string on {v.TypeName}"),
    };

    private static CelValue ToDuration(CelValue v) => v.Kind switch
    {
        CelKind.Duration => v,
        CelKind.String => CelOperators.ParseDuration(v.AsString) is { } d ? CelValue.Duration(d) : CelValue.Error($"invalid duration '{v.AsString}'"),
        _ => CelValue.Error($"no matching overload for duration on {v.TypeName}"),
    };

    private static CelValue ToTimestamp(CelValue v) => v.Kind switch
    {
        CelKind.Timestamp => v,
        CelKind.String => DateTimeOffset.TryParseExact(v.AsString, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFFFK", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var t)
            ? CelValue.Timestamp(t)
            : CelValue.Error($"invalid timestamp '{v.AsString}'"),
        _ => CelValue.Error($"no matching overload for timestamp on {v.TypeName}"),
    };

    private static CelValue Text(CelValue v, string name, Func<string, CelValue> f) =>
        v.Kind == CelKind.String ? f(v.AsString) : CelValue.Error($"no matching overload for {name} on {v.TypeName}");

    private static CelValue Strings(CelValue s, CelValue p, string name, Func<string, string, bool> f) =>
        s.Kind == CelKind.String && p.Kind == CelKind.String ? CelValue.Bool(f(s.AsString, p.AsString)) : CelOperators.NoOverload(name, s, p);

    private static CelValue RangeError(string type) => CelValue.Error($"{type} conversion out of range");

    private static int CodePoints(string s)
    {
        var count = s.Length;
        foreach (var c in s)
        {
            if (char.IsLowSurrogate(c))
            {
                count--;
            }
        }

        return count;
    }

    private static string AsciiCase(string s, bool upper) => string.Create(s.Length, (s, upper), static (span, state) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            var c = state.s[i];
            span[i] = state.upper ? (char.IsAsciiLetterLower(c) ? (char)(c - 32) : c) : (char.IsAsciiLetterUpper(c) ? (char)(c + 32) : c);
        }
    });
}
