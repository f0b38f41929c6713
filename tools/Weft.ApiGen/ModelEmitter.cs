using System.Globalization;
using System.Text;
using Weft.Api.Schema;

namespace Weft.ApiGen;

/// <summary>
/// Writes immutable records for every object in each kind's spec, with a lenient decoder per record, plus the
/// <c>IstioKinds</c> table. Objects with the same type name and the same fields become one shared record.
/// </summary>
internal static class ModelEmitter
{
    private sealed record TypeRef(string Kind, string? Name = null, TypeRef? Element = null)
    {
        public string CSharp => Kind switch
        {
            "string" => "string",
            "long" => "long",
            "double" => "double",
            "bool" => "bool",
            "raw" => "Node",
            "object" => "global::Weft.Api.Model." + Name!,
            "list" => $"IReadOnlyList<{Element!.CSharp}>",
            "map" => $"IReadOnlyDictionary<string, {Element!.CSharp}>",
            _ => throw new InvalidOperationException(Kind),
        };
    }

    private sealed record Prop(string Json, string Name, TypeRef Type);

    private sealed class Model(string name, string ns, string firstKind)
    {
        public string Name { get; } = name;
        public string Namespace { get; } = ns;
        public string FirstKind { get; } = firstKind;
        public List<Prop> Props { get; } = [];
        public string Shape => string.Join(";", Props.Select(p => p.Json + ":" + p.Type.CSharp));
    }

    public static void Emit(IReadOnlyList<CrdDefinition> crds, string dir)
    {
        var models = new Dictionary<(string Ns, string Name), Model>();
        var order = new List<Model>();
        var kinds = new StringBuilder();

        foreach (var crd in crds)
        {
            var ns = Namespace(crd.Group);
            var storage = crd.Versions.First(v => v.Storage);
            var spec = storage.Schema.Properties?.GetValueOrDefault("spec");
            string? specType = null;
            if (spec is not null)
            {
                specType = Define(spec, crd.Kind + "Spec", ns, crd.Kind, models, order).Name;
            }

            var versions = string.Join(", ", crd.Versions.Select(v =>
                $"new ResourceVersion({CSharp.Str(v.Name)}, {Bool(v.Served)}, {Bool(v.Storage)}, () => IstioSchemas.{crd.Kind}_{v.Name})"));
            var decode = specType is null ? "null" : $"static m => global::Weft.Api.Model.{ns}.{specType}.Decode(m)";
            kinds.Append(CultureInfo.InvariantCulture,
                $"        new ResourceKind({CSharp.Str(crd.Group)}, {CSharp.Str(crd.Kind)}, {CSharp.Str(crd.Plural)}, {Bool(crd.Scope == "Namespaced")}, [{versions}], {decode}),\n");
        }

        foreach (var group in order.GroupBy(m => (m.Namespace, m.FirstKind)))
        {
            var sb = new StringBuilder(CSharp.Header);
            sb.Append("using Weft.Api.Documents;\nusing Weft.Api.Model.Decoding;\n\n");
            sb.Append(CultureInfo.InvariantCulture, $"namespace Weft.Api.Model.{group.Key.Namespace};\n");
            foreach (var model in group)
            {
                sb.Append('\n').Append(Record(model));
            }

            var folder = Path.Combine(dir, group.Key.Namespace);
            Directory.CreateDirectory(folder);
            var fileName = group.Key.Namespace == "Common" ? "SharedTypes" : group.Key.FirstKind;
            File.WriteAllText(Path.Combine(folder, fileName + ".g.cs"), sb.ToString());
        }

        var table = new StringBuilder(CSharp.Header);
        table.Append("using Weft.Api.Schema.Generated;\n\nnamespace Weft.Api.Model;\n\n/// <summary>Every Istio kind with its served versions, schemas and spec decoder.</summary>\npublic static partial class IstioKinds\n{\n");
        table.Append("    public static IReadOnlyList<ResourceKind> All { get; } =\n    [\n").Append(kinds).Append("    ];\n}\n");
        File.WriteAllText(Path.Combine(dir, "IstioKinds.g.cs"), table.ToString());
    }

    private static string Bool(bool b) => b ? "true" : "false";

    private static string Namespace(string group) => group switch
    {
        "networking.istio.io" => "Networking",
        "security.istio.io" => "Security",
        "telemetry.istio.io" => "Telemetry",
        "extensions.istio.io" => "Extensions",
        _ => throw new InvalidOperationException("unknown group " + group),
    };

    private static Model Define(SchemaNode node, string name, string ns, string kind, Dictionary<(string, string), Model> models, List<Model> order)
    {
        var model = new Model(name, ns, kind);
        foreach (var (json, child) in node.Properties ?? new Dictionary<string, SchemaNode>())
        {
            var propName = global::Weft.ApiGen.CSharp.Pascal(json);
            if (propName == name)
            {
                propName += "Value";
            }

            model.Props.Add(new Prop(json, propName, Ref(child, name, json, ns, kind, models, order)));
        }

        if (models.TryGetValue((ns, name), out var existing))
        {
            if (existing.Shape != model.Shape)
            {
                throw new InvalidOperationException($"type {ns}.{name} would have two shapes:\n  {existing.Shape}\n  {model.Shape}");
            }

            return existing;
        }

        models[(ns, name)] = model;
        order.Add(model);
        return model;
    }

    private static TypeRef Ref(SchemaNode s, string parent, string json, string ns, string kind, Dictionary<(string, string), Model> models, List<Model> order)
    {
        switch (s.Type)
        {
            case SchemaType.String:
                return new TypeRef("string");
            case SchemaType.Integer:
                return new TypeRef("long");
            case SchemaType.Number:
                return new TypeRef("double");
            case SchemaType.Boolean:
                return new TypeRef("bool");
            case SchemaType.Array when s.Items is not null:
                return new TypeRef("list", Element: Ref(s.Items, parent, json, ns, kind, models, order));
            case SchemaType.Object when s.Properties is { Count: > 0 } && !s.PreserveUnknownFields:
                var name = TypeNames.ByField.GetValueOrDefault(parent + "." + json) ?? parent + global::Weft.ApiGen.CSharp.Pascal(json);
                var typeNs = ns;
                if (name.Contains('.', StringComparison.Ordinal))
                {
                    (typeNs, name) = (name[..name.IndexOf('.', StringComparison.Ordinal)], name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..]);
                }

                var defined = Define(s, name, typeNs, kind, models, order);
                return new TypeRef("object", defined.Namespace + "." + defined.Name);
            case SchemaType.Object when s.AdditionalProperties is { } values && !s.PreserveUnknownFields:
                return new TypeRef("map", Element: Ref(values, parent, json, ns, kind, models, order));
            default:
                return new TypeRef("raw");
        }
    }

    private static string Record(Model model)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"public sealed partial record {model.Name}\n{{\n");
        foreach (var p in model.Props)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    /// <summary><c>{p.Json}</c></summary>\n    public {p.Type.CSharp}? {p.Name} {{ get; init; }}\n\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"    internal static {model.Name} Decode(MapNode node)\n    {{\n");
        if (model.Props.Count == 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"        return new {model.Name}();\n    }}\n}}\n");
            return sb.ToString();
        }

        for (var i = 0; i < model.Props.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"        {model.Props[i].Type.CSharp}? f{i} = null;\n");
        }

        sb.Append("        foreach (var entry in node.Entries)\n        {\n            switch (entry.Key)\n            {\n");
        for (var i = 0; i < model.Props.Count; i++)
        {
            var p = model.Props[i];
            sb.Append(CultureInfo.InvariantCulture, $"                case {CSharp.Str(p.Json)}:\n                    f{i} = {Read(p.Type, "entry.Value", model.Namespace)};\n                    break;\n");
        }

        sb.Append("            }\n        }\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"        return new {model.Name}\n        {{\n");
        for (var i = 0; i < model.Props.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"            {model.Props[i].Name} = f{i},\n");
        }

        sb.Append("        };\n    }\n}\n");
        return sb.ToString();
    }

    private static string Read(TypeRef t, string node, string ns) => t.Kind switch
    {
        "string" => $"NodeRead.String({node})",
        "long" => $"NodeRead.Long({node})",
        "double" => $"NodeRead.Double({node})",
        "bool" => $"NodeRead.Bool({node})",
        "raw" => $"NodeRead.Raw({node})",
        "object" => $"NodeRead.Object({node}, global::Weft.Api.Model.{t.Name}.Decode)",
        "list" => t.Element!.Kind switch
        {
            "long" => $"NodeRead.LongList({node})",
            "double" => $"NodeRead.DoubleList({node})",
            "bool" => $"NodeRead.BoolList({node})",
            _ => $"NodeRead.List({node}, static n => {Read(t.Element, "n", ns)})",
        },
        "map" => t.Element!.Kind switch
        {
            "long" => $"NodeRead.LongMap({node})",
            _ => $"NodeRead.Map({node}, static n => {Read(t.Element, "n", ns)})",
        },
        _ => throw new InvalidOperationException(t.Kind),
    };
}
