using System.Globalization;
using System.Text;
using Weft.Api.Schema;

namespace Weft.ApiGen;

/// <summary>Writes each kind's per-version schemas as C# object initialisers; identical subtrees are built once and shared.</summary>
internal static class SchemaEmitter
{
    public static void Emit(IReadOnlyList<CrdDefinition> crds, string dir)
    {
        var shared = new Shared();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var crd in crds)
        {
            foreach (var v in crd.Versions)
            {
                Count(v.Schema, counts);
            }
        }

        var catalog = new StringBuilder();
        foreach (var crd in crds)
        {
            var sb = new StringBuilder(CSharp.Header);
            sb.Append("using Weft.Api.Schema;\n\nnamespace Weft.Api.Schema.Generated;\n\ninternal static partial class IstioSchemas\n{\n");
            var emitted = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var v in crd.Versions)
            {
                var name = $"{crd.Kind}_{v.Name}";
                var body = Expr(v.Schema, counts, shared, 1);
                if (emitted.TryGetValue(body, out var same))
                {
                    sb.Append(CultureInfo.InvariantCulture, $"    // {v.Name} has the same schema as {same}.\n    public static SchemaNode {name} => {crd.Kind}_{same};\n\n");
                    continue;
                }

                emitted[body] = v.Name;
                sb.Append(CultureInfo.InvariantCulture, $"    private static SchemaNode? _{name};\n\n    public static SchemaNode {name} => _{name} ??= new SchemaNode\n{body};\n\n");
            }

            sb.Append("}\n");
            File.WriteAllText(Path.Combine(dir, $"IstioSchemas.{crd.Kind}.g.cs"), sb.ToString());
        }

        var common = new StringBuilder(CSharp.Header);
        common.Append("using Weft.Api.Schema;\n\nnamespace Weft.Api.Schema.Generated;\n\ninternal static partial class IstioSchemas\n{\n");
        foreach (var (method, body) in shared.Bodies)
        {
            common.Append(CultureInfo.InvariantCulture, $"    private static SchemaNode? _{method};\n\n    private static SchemaNode {method} => _{method} ??= new SchemaNode\n{body};\n\n");
        }

        common.Append("}\n");
        File.WriteAllText(Path.Combine(dir, "IstioSchemas.Shared.g.cs"), common.ToString());
    }

    private static void Count(SchemaNode node, Dictionary<string, int> counts)
    {
        var key = Expr(node, null, null, 0);
        counts[key] = counts.GetValueOrDefault(key) + 1;
        foreach (var child in Children(node))
        {
            Count(child, counts);
        }
    }

    private static IEnumerable<SchemaNode> Children(SchemaNode n)
    {
        if (n.Properties is not null)
        {
            foreach (var p in n.Properties.Values)
            {
                yield return p;
            }
        }

        if (n.Items is not null)
        {
            yield return n.Items;
        }

        if (n.AdditionalProperties is not null)
        {
            yield return n.AdditionalProperties;
        }
    }

    /// <summary>
    /// The initialiser body for <paramref name="n"/>. With <paramref name="counts"/> given, subtrees that occur more
    /// than once and are large are replaced by a reference to a shared, lazily built node.
    /// </summary>
    private static string Expr(SchemaNode n, Dictionary<string, int>? counts, Shared? shared, int indent)
    {
        var pad = new string(' ', indent * 4);
        var inner = new string(' ', (indent + 1) * 4);
        var sb = new StringBuilder();
        sb.Append(pad).Append("{\n");

        void Line(string text) => sb.Append(inner).Append(text).Append(",\n");

        if (n.Type != SchemaType.Unspecified)
        {
            Line("Type = SchemaType." + n.Type);
        }

        if (n.Format is not null)
        {
            Line("Format = " + CSharp.Str(n.Format));
        }

        if (n.Nullable)
        {
            Line("Nullable = true");
        }

        if (n.IntOrString)
        {
            Line("IntOrString = true");
        }

        if (n.PreserveUnknownFields)
        {
            Line("PreserveUnknownFields = true");
        }

        if (n.Properties is not null)
        {
            sb.Append(inner).Append("Properties = new Dictionary<string, SchemaNode>(StringComparer.Ordinal)\n").Append(inner).Append("{\n");
            foreach (var (name, child) in n.Properties)
            {
                sb.Append(inner).Append("    [").Append(CSharp.Str(name)).Append("] = ").Append(Child(child, counts, shared, indent + 2)).Append(",\n");
            }

            sb.Append(inner).Append("},\n");
        }

        if (n.Required is not null)
        {
            Line("Required = [" + string.Join(", ", n.Required.Select(CSharp.Str)) + "]");
        }

        if (n.AdditionalProperties is not null)
        {
            Line("AdditionalProperties = " + Child(n.AdditionalProperties, counts, shared, indent + 1));
        }

        if (n.Items is not null)
        {
            Line("Items = " + Child(n.Items, counts, shared, indent + 1));
        }

        if (n.Enum is not null)
        {
            Line("Enum = new object[] { " + string.Join(", ", n.Enum.Select(e => e is long l ? l.ToString(CultureInfo.InvariantCulture) + "L" : CSharp.Str((string)e))) + " }");
        }

        if (n.Pattern is not null)
        {
            Line("Pattern = " + CSharp.Str(n.Pattern));
        }

        void Long(string name, long? value)
        {
            if (value is { } v)
            {
                Line($"{name} = {v.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        Long("MinLength", n.MinLength);
        Long("MaxLength", n.MaxLength);
        Long("MinItems", n.MinItems);
        Long("MaxItems", n.MaxItems);
        Long("MinProperties", n.MinProperties);
        Long("MaxProperties", n.MaxProperties);
        if (n.Minimum is { } min)
        {
            Line("Minimum = " + CSharp.Num(min));
        }

        if (n.Maximum is { } max)
        {
            Line("Maximum = " + CSharp.Num(max));
        }

        if (n.ExclusiveMinimum)
        {
            Line("ExclusiveMinimum = true");
        }

        if (n.ExclusiveMaximum)
        {
            Line("ExclusiveMaximum = true");
        }

        if (n.ListType is not null)
        {
            Line("ListType = " + CSharp.Str(n.ListType));
        }

        if (n.ListMapKeys is not null)
        {
            Line("ListMapKeys = [" + string.Join(", ", n.ListMapKeys.Select(CSharp.Str)) + "]");
        }

        void List(string name, IReadOnlyList<SchemaNode>? list)
        {
            if (list is not null)
            {
                Line($"{name} = new SchemaNode[]\n{inner}{{\n" + string.Join(",\n", list.Select(s => inner + "    new SchemaNode\n" + Expr(s, null, null, indent + 2))) + $"\n{inner}}}");
            }
        }

        List("OneOf", n.OneOf);
        List("AnyOf", n.AnyOf);
        List("AllOf", n.AllOf);
        if (n.Not is not null)
        {
            Line("Not = new SchemaNode\n" + Expr(n.Not, null, null, indent + 1));
        }

        if (n.Rules is not null)
        {
            Line("Rules = new CelRule[]\n" + inner + "{\n" + string.Join(",\n", n.Rules.Select(r =>
                $"{inner}    new({CSharp.Str(r.Rule)}, {CSharp.Str(r.Message)}, {CSharp.Str(r.MessageExpression)}, {CSharp.Str(r.FieldPath)}, {CSharp.Str(r.Reason)})")) + "\n" + inner + "}");
        }

        sb.Append(pad).Append('}');
        return sb.ToString();
    }

    private static string Child(SchemaNode child, Dictionary<string, int>? counts, Shared? shared, int indent)
    {
        if (counts is not null && shared is not null)
        {
            var key = Expr(child, null, null, 0);
            if (counts.GetValueOrDefault(key) > 1 && key.Length > 400)
            {
                if (!shared.ByKey.TryGetValue(key, out var method))
                {
                    method = "Shared" + shared.ByKey.Count.ToString(CultureInfo.InvariantCulture);
                    shared.ByKey[key] = method;
                    shared.Bodies[method] = Expr(child, counts, shared, 1);
                }

                return method;
            }
        }

        return "new SchemaNode\n" + Expr(child, counts, shared, indent);
    }

    /// <summary>Subtrees built once and referenced wherever they occur.</summary>
    private sealed class Shared
    {
        public Dictionary<string, string> ByKey { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, string> Bodies { get; } = new(StringComparer.Ordinal);
    }
}
