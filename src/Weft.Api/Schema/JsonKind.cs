namespace Weft.Api.Schema;

/// <summary>
/// The JSON type a value has by the time the API server validates it: kubectl turns the YAML into JSON and the
/// server decodes that JSON, so an integral float such as <c>5.0</c> arrives as the integer 5.
/// </summary>
internal enum JsonKind
{
    Null,
    Boolean,
    Integer,
    Number,
    String,
    Array,
    Object,
}
