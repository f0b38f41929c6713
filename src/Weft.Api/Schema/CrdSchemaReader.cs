using System.Globalization;
using Weft.Api.Documents;

namespace Weft.Api.Schema;

/// <summary>
/// Reads CustomResourceDefinition documents into <see cref="CrdDefinition"/>s. Descriptions are dropped:
/// only what validation needs (types, enums, bounds, patterns, required fields, CEL rules) is kept.
/// </summary>
public static class CrdSchemaReader
{
    public static IReadOnlyList<CrdDefinition> ReadAll(string yaml, string file)
    {
        var result = new List<CrdDefinition>();
        foreach (var doc in YamlReader.Read(yaml, file))
        {
            if (doc.Root is MapNode root && Str(root["kind"]) == "CustomResourceDefinition")
            {
                result.Add(Read(root));
            }
        }

        return result;
    }

    public static CrdDefinition Read(MapNode crd)
    {
        var spec = (MapNode)crd["spec"]!;
        var names = (MapNode)spec["names"]!;
        var versions = new List<CrdVersion>();
        foreach (var v in ((ListNode)spec["versions"]!).Items.Cast<MapNode>())
        {
            var schema = (v["schema"] as MapNode)?["openAPIV3Schema"] as MapNode;
            versions.Add(new CrdVersion(
                Str(v["name"])!,
                Bool(v["served"]),
                Bool(v["storage"]),
                schema is null ? new SchemaNode { Type = SchemaType.Object, PreserveUnknownFields = true } : ReadSchema(schema)));
        }

        return new CrdDefinition(Str(spec["group"])!, Str(names["kind"])!, Str(names["plural"]) ?? string.Empty, Str(spec["scope"]) ?? "Namespaced", versions);
    }

    public static SchemaNode ReadSchema(MapNode s)
    {
        Dictionary<string, SchemaNode>? properties = null;
        if (s["properties"] is MapNode props)
        {
            properties = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
            foreach (var entry in props.Entries)
            {
                properties[entry.Key] = ReadSchema((MapNode)entry.Value);
            }
        }

        var additional = s["additionalProperties"] switch
        {
            MapNode m => ReadSchema(m),
            ScalarNode { Kind: ScalarKind.Bool } b when b.AsBool() => new SchemaNode(),
            _ => null,
        };

        return new SchemaNode
        {
            Type = Str(s["type"]) switch
            {
                "object" => SchemaType.Object,
                "array" => SchemaType.Array,
                "string" => SchemaType.String,
                "integer" => SchemaType.Integer,
                "number" => SchemaType.Number,
                "boolean" => SchemaType.Boolean,
                _ => SchemaType.Unspecified,
            },
            Format = Str(s["format"]),
            Nullable = Bool(s["nullable"]),
            IntOrString = Bool(s["x-kubernetes-int-or-string"]),
            PreserveUnknownFields = Bool(s["x-kubernetes-preserve-unknown-fields"]),
            Properties = properties,
            Required = Strings(s["required"]),
            AdditionalProperties = additional,
            Items = s["items"] is MapNode items ? ReadSchema(items) : null,
            Enum = s["enum"] is ListNode e ? e.Items.Cast<ScalarNode>().Select(EnumValue).ToArray() : null,
            Pattern = Str(s["pattern"]),
            MinLength = Long(s["minLength"]),
            MaxLength = Long(s["maxLength"]),
            MinItems = Long(s["minItems"]),
            MaxItems = Long(s["maxItems"]),
            MinProperties = Long(s["minProperties"]),
            MaxProperties = Long(s["maxProperties"]),
            Minimum = Double(s["minimum"]),
            Maximum = Double(s["maximum"]),
            ExclusiveMinimum = Bool(s["exclusiveMinimum"]),
            ExclusiveMaximum = Bool(s["exclusiveMaximum"]),
            ListType = Str(s["x-kubernetes-list-type"]),
            ListMapKeys = Strings(s["x-kubernetes-list-map-keys"]),
            OneOf = Schemas(s["oneOf"]),
            AnyOf = Schemas(s["anyOf"]),
            AllOf = Schemas(s["allOf"]),
            Not = s["not"] is MapNode not ? ReadSchema(not) : null,
            Rules = s["x-kubernetes-validations"] is ListNode rules
                ? rules.Items.Cast<MapNode>().Select(r => new CelRule(
                    Str(r["rule"])!,
                    Str(r["message"]),
                    Str(r["messageExpression"]),
                    Str(r["fieldPath"]),
                    Str(r["reason"]))).ToArray()
                : null,
        };
    }

    private static object EnumValue(ScalarNode n) => n.Kind == ScalarKind.Int ? n.AsLong() : n.Text;

    private static SchemaNode[]? Schemas(Node? n) => n is ListNode l ? l.Items.Cast<MapNode>().Select(ReadSchema).ToArray() : null;

    private static string[]? Strings(Node? n) => n is ListNode l ? l.Items.Cast<ScalarNode>().Select(i => i.Text).ToArray() : null;

    private static string? Str(Node? n) => n is ScalarNode { IsNull: false } s ? s.Text : null;

    private static bool Bool(Node? n) => n is ScalarNode { Kind: ScalarKind.Bool } s && s.AsBool();

    private static long? Long(Node? n) => n is ScalarNode { Kind: ScalarKind.Int } s ? s.AsLong() : null;

    private static double? Double(Node? n) => n is ScalarNode { Kind: ScalarKind.Int or ScalarKind.Float } s
        ? double.Parse(s.Text, CultureInfo.InvariantCulture)
        : null;
}
