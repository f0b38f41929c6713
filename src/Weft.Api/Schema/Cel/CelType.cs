namespace Weft.Api.Schema.Cel;

/// <summary>A CEL type, which is itself a value (what <c>type(x)</c> returns and identifiers such as <c>int</c> denote).</summary>
internal sealed class CelType : CelValue
{
    public static readonly CelType Int = new("int");
    public static readonly CelType Uint = new("uint");
    public static readonly CelType Double = new("double");
    public static readonly CelType String = new("string");
    public static readonly CelType Bool = new("bool");
    public static readonly CelType Bytes = new("bytes");
    public static readonly CelType Null = new("null_type");
    public static readonly CelType List = new("list");
    public static readonly CelType Map = new("map");
    public static readonly CelType Duration = new("google.protobuf.Duration");
    public static readonly CelType Url = new("kubernetes.URL");
    public static readonly CelType TypeOfTypes = new("type");
    public static readonly CelType Error = new("error");

    private CelType(string name) => Name = name;

    public string Name { get; }

    public override CelType Type => TypeOfTypes;

    /// <summary>The types a bare identifier may name in an expression.</summary>
    public static CelType? ByIdentifier(string name) => name switch
    {
        "int" => Int,
        "uint" => Uint,
        "double" => Double,
        "string" => String,
        "bool" => Bool,
        "bytes" => Bytes,
        "null_type" => Null,
        "list" => List,
        "map" => Map,
        "type" => TypeOfTypes,
        _ => null,
    };

    public override string ToString() => Name;
}
