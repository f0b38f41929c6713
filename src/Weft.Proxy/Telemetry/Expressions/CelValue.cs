using System.Globalization;

namespace Weft.Proxy.Telemetry.Expressions;

/// <summary>The kinds of CEL value this evaluator knows; <see cref="CelKind.Error"/> is an evaluation error carried as a value.</summary>
internal enum CelKind : byte
{
    Error,
    Null,
    Bool,
    Int,
    Uint,
    Double,
    String,
    List,
    Map,
    Duration,
    Timestamp,
}

/// <summary>
/// One CEL value. Scalars live in the struct (no allocation); strings, lists, maps and error messages in
/// <see cref="_object"/>. Errors are values, not exceptions: an expression over a request that lacks an attribute is an
/// everyday outcome (the filter is false), and CEL's <c>&amp;&amp;</c> and <c>||</c> absorb errors.
/// </summary>
internal readonly struct CelValue : IEquatable<CelValue>
{
    private readonly long _bits;
    private readonly object? _object;

    private CelValue(CelKind kind, long bits, object? value)
    {
        Kind = kind;
        _bits = bits;
        _object = value;
    }

    public CelKind Kind { get; }

    public static CelValue Null => new(CelKind.Null, 0, null);

    public static CelValue True => new(CelKind.Bool, 1, null);

    public static CelValue False => new(CelKind.Bool, 0, null);

    public bool IsError => Kind == CelKind.Error;

    public bool AsBool => _bits != 0;

    public long AsInt => _bits;

    public ulong AsUint => unchecked((ulong)_bits);

    public double AsDouble => BitConverter.Int64BitsToDouble(_bits);

    public string AsString => (string)_object!;

    public IReadOnlyList<CelValue> AsList => (IReadOnlyList<CelValue>)_object!;

    public CelMap AsMap => (CelMap)_object!;

    public TimeSpan AsDuration => new(_bits);

    public DateTimeOffset AsTimestamp => new(_bits, TimeSpan.Zero);

    /// <summary>The message of an error value.</summary>
    public string ErrorMessage => (string)_object!;

    public static CelValue Bool(bool value) => value ? True : False;

    public static CelValue Int(long value) => new(CelKind.Int, value, null);

    public static CelValue Uint(ulong value) => new(CelKind.Uint, unchecked((long)value), null);

    public static CelValue Double(double value) => new(CelKind.Double, BitConverter.DoubleToInt64Bits(value), null);

    public static CelValue String(string value) => new(CelKind.String, 0, value);

    public static CelValue List(IReadOnlyList<CelValue> value) => new(CelKind.List, 0, value);

    public static CelValue Map(CelMap value) => new(CelKind.Map, 0, value);

    public static CelValue Duration(TimeSpan value) => new(CelKind.Duration, value.Ticks, null);

    public static CelValue Timestamp(DateTimeOffset value) => new(CelKind.Timestamp, value.UtcTicks, null);

    public static CelValue Error(string message) => new(CelKind.Error, 0, message);

    /// <summary>A string, or an error when <paramref name="value"/> is null (a missing attribute or key).</summary>
    public static CelValue StringOr(string? value, string missing) => value is null ? Error(missing) : String(value);

    /// <summary>CEL's type name of the value, as error messages and <c>type()</c> print it.</summary>
    public string TypeName => Kind switch
    {
        CelKind.Null => "null_type",
        CelKind.Bool => "bool",
        CelKind.Int => "int",
        CelKind.Uint => "uint",
        CelKind.Double => "double",
        CelKind.String => "string",
        CelKind.List => "list",
        CelKind.Map => "map",
        CelKind.Duration => "google.protobuf.Duration",
        CelKind.Timestamp => "google.protobuf.Timestamp",
        _ => "error",
    };

    /// <summary>
    /// CEL's equality: numbers compare by value across int, uint and double (heterogeneous equality, the current
    /// spec's and cel-cpp's default); values of other different types are unequal; lists and maps compare element-wise.
    /// </summary>
    public bool Equals(CelValue other)
    {
        if (Kind != other.Kind)
        {
            return IsNumber && other.IsNumber && CelOperators.CompareNumbers(this, other) == 0;
        }

        return Kind switch
        {
            CelKind.Null => true,
            CelKind.Double => AsDouble == other.AsDouble,
            CelKind.String => string.Equals(AsString, other.AsString, StringComparison.Ordinal),
            CelKind.List => ListsEqual(AsList, other.AsList),
            CelKind.Map => AsMap.ContentEquals(other.AsMap),
            CelKind.Error => false,
            _ => _bits == other._bits,
        };
    }

    public override bool Equals(object? obj) => obj is CelValue other && Equals(other);

    /// <summary>Equal numbers of different types hash alike (as map keys, <c>1</c> and <c>1u</c> are the same key).</summary>
    public override int GetHashCode() => Kind switch
    {
        CelKind.Int => _bits.GetHashCode(),
        CelKind.Uint => AsUint <= long.MaxValue ? _bits.GetHashCode() : AsUint.GetHashCode(),
        CelKind.Double => AsDouble == Math.Floor(AsDouble) && AsDouble is >= long.MinValue and < long.MaxValue ? ((long)AsDouble).GetHashCode() : AsDouble.GetHashCode(),
        CelKind.String => StringComparer.Ordinal.GetHashCode(AsString),
        _ => HashCode.Combine(Kind, _bits),
    };

    public static bool operator ==(CelValue left, CelValue right) => left.Equals(right);

    public static bool operator !=(CelValue left, CelValue right) => !left.Equals(right);

    public bool IsNumber => Kind is CelKind.Int or CelKind.Uint or CelKind.Double;

    public override string ToString() => Kind switch
    {
        CelKind.Error => "error: " + ErrorMessage,
        CelKind.Null => "null",
        CelKind.Bool => AsBool ? "true" : "false",
        CelKind.Int => AsInt.ToString(CultureInfo.InvariantCulture),
        CelKind.Uint => AsUint.ToString(CultureInfo.InvariantCulture) + "u",
        CelKind.Double => AsDouble.ToString("R", CultureInfo.InvariantCulture),
        CelKind.String => AsString,
        CelKind.List => "[" + string.Join(", ", AsList) + "]",
        CelKind.Map => "{map of " + AsMap.Count.ToString(CultureInfo.InvariantCulture) + "}",
        CelKind.Duration => CelOperators.FormatDuration(AsDuration),
        CelKind.Timestamp => AsTimestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        _ => Kind.ToString(),
    };

    private static bool ListsEqual(IReadOnlyList<CelValue> left, IReadOnlyList<CelValue> right)
    {
        if (left.Count != right.Count)
        {
            return false;
        }

        for (var i = 0; i < left.Count; i++)
        {
            if (!left[i].Equals(right[i]))
            {
                return false;
            }
        }

        return true;
    }
}
