namespace Weft.Api.Schema;

/// <summary>
/// The shape of ObjectMeta. CRDs leave <c>metadata</c> as a bare object and the API server decodes it into
/// the Go type instead; this schema gives the same field set and types. Every field may be null, because
/// decoding JSON null into a Go field just leaves it empty (<c>creationTimestamp: null</c> is common in
/// generated YAML).
/// </summary>
internal static class ObjectMetaSchema
{
    public static SchemaNode Instance { get; } = Build();

    private static SchemaNode Build()
    {
        var str = Nullable(SchemaType.String);
        var integer = Nullable(SchemaType.Integer);
        var boolean = Nullable(SchemaType.Boolean);
        var time = new SchemaNode { Type = SchemaType.String, Format = "date-time", Nullable = true };
        var stringMap = new SchemaNode { Type = SchemaType.Object, Nullable = true, AdditionalProperties = str };
        var ownerReference = new SchemaNode
        {
            Type = SchemaType.Object,
            Nullable = true,
            Properties = new Dictionary<string, SchemaNode>(StringComparer.Ordinal)
            {
                ["apiVersion"] = str,
                ["kind"] = str,
                ["name"] = str,
                ["uid"] = str,
                ["controller"] = boolean,
                ["blockOwnerDeletion"] = boolean,
            },
        };
        var managedField = new SchemaNode
        {
            Type = SchemaType.Object,
            Nullable = true,
            Properties = new Dictionary<string, SchemaNode>(StringComparer.Ordinal)
            {
                ["manager"] = str,
                ["operation"] = str,
                ["apiVersion"] = str,
                ["time"] = time,
                ["fieldsType"] = str,
                ["fieldsV1"] = new SchemaNode { Type = SchemaType.Object, Nullable = true, PreserveUnknownFields = true },
                ["subresource"] = str,
            },
        };

        return new SchemaNode
        {
            Type = SchemaType.Object,
            Nullable = true,
            Properties = new Dictionary<string, SchemaNode>(StringComparer.Ordinal)
            {
                ["name"] = str,
                ["generateName"] = str,
                ["namespace"] = str,
                ["selfLink"] = str,
                ["uid"] = str,
                ["resourceVersion"] = str,
                ["generation"] = integer,
                ["creationTimestamp"] = time,
                ["deletionTimestamp"] = time,
                ["deletionGracePeriodSeconds"] = integer,
                ["labels"] = stringMap,
                ["annotations"] = stringMap,
                ["ownerReferences"] = new SchemaNode { Type = SchemaType.Array, Nullable = true, Items = ownerReference },
                ["finalizers"] = new SchemaNode { Type = SchemaType.Array, Nullable = true, Items = str },
                ["managedFields"] = new SchemaNode { Type = SchemaType.Array, Nullable = true, Items = managedField },
            },
        };
    }

    private static SchemaNode Nullable(SchemaType type) => new() { Type = type, Nullable = true };
}
