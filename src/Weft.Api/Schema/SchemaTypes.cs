namespace Weft.Api.Schema;

internal static class SchemaTypes
{
    /// <summary>The OpenAPI name of a schema type, or null when the schema leaves the type open.</summary>
    public static string? Name(SchemaType type) => type switch
    {
        SchemaType.Object => "object",
        SchemaType.Array => "array",
        SchemaType.String => "string",
        SchemaType.Integer => "integer",
        SchemaType.Number => "number",
        SchemaType.Boolean => "boolean",
        _ => null,
    };
}
