namespace Weft.Api.Schema;

/// <summary>
/// One node of a structural OpenAPI v3 schema as Kubernetes applies it to a custom resource.
/// Instances are built once (by generated code) and never changed afterwards.
/// </summary>
public sealed class SchemaNode
{
    public SchemaType Type { get; init; }

    /// <summary>OpenAPI format: int32, int64, double, byte, date-time.</summary>
    public string? Format { get; init; }

    public bool Nullable { get; init; }

    /// <summary>x-kubernetes-int-or-string: an integer or a string is accepted.</summary>
    public bool IntOrString { get; init; }

    /// <summary>x-kubernetes-preserve-unknown-fields: fields not in <see cref="Properties"/> are kept unchecked.</summary>
    public bool PreserveUnknownFields { get; init; }

    public IReadOnlyDictionary<string, SchemaNode>? Properties { get; init; }

    public IReadOnlyList<string>? Required { get; init; }

    /// <summary>The schema of map values (additionalProperties), for objects used as maps.</summary>
    public SchemaNode? AdditionalProperties { get; init; }

    public SchemaNode? Items { get; init; }

    /// <summary>Allowed values; strings for string enums, longs for integer enums.</summary>
    public IReadOnlyList<object>? Enum { get; init; }

    public string? Pattern { get; init; }

    public long? MinLength { get; init; }
    public long? MaxLength { get; init; }
    public long? MinItems { get; init; }
    public long? MaxItems { get; init; }
    public long? MinProperties { get; init; }
    public long? MaxProperties { get; init; }
    public double? Minimum { get; init; }
    public double? Maximum { get; init; }
    public bool ExclusiveMinimum { get; init; }
    public bool ExclusiveMaximum { get; init; }

    /// <summary>x-kubernetes-list-type: atomic (default), set or map.</summary>
    public string? ListType { get; init; }

    /// <summary>x-kubernetes-list-map-keys, for list type map.</summary>
    public IReadOnlyList<string>? ListMapKeys { get; init; }

    /// <summary>Value-validation alternatives; in Istio's CRDs these only say which fields may be set together.</summary>
    public IReadOnlyList<SchemaNode>? OneOf { get; init; }
    public IReadOnlyList<SchemaNode>? AnyOf { get; init; }
    public IReadOnlyList<SchemaNode>? AllOf { get; init; }
    public SchemaNode? Not { get; init; }

    /// <summary>x-kubernetes-validations: CEL rules evaluated with this node as <c>self</c>.</summary>
    public IReadOnlyList<CelRule>? Rules { get; init; }
}

public enum SchemaType
{
    /// <summary>No type given: any value (used inside value-validation alternatives and preserved fields).</summary>
    Unspecified,
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
}

/// <summary>One x-kubernetes-validations entry.</summary>
public sealed record CelRule(string Rule, string? Message = null, string? MessageExpression = null, string? FieldPath = null, string? Reason = null);
