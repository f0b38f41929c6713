using Weft.Api.Documents;
using Weft.Api.Schema;
using Weft.Api.Validation;

namespace Weft.Api.Tests.Schema;

/// <summary>Small builders so that each test shows only the schema and the document it is about.</summary>
internal static class SchemaKit
{
    /// <summary>The line of the first line of the spec block in <see cref="Doc"/> (after apiVersion, kind, metadata, name, spec).</summary>
    public const int SpecFirstLine = 6;

    public static SchemaNode Str => new() { Type = SchemaType.String };

    public static SchemaNode Int => new() { Type = SchemaType.Integer };

    public static SchemaNode Obj(params (string Name, SchemaNode Schema)[] properties) => new()
    {
        Type = SchemaType.Object,
        Properties = properties.ToDictionary(p => p.Name, p => p.Schema, StringComparer.Ordinal),
    };

    /// <summary>A whole-object schema whose spec is <paramref name="spec"/>, like a CRD version's openAPIV3Schema.</summary>
    public static SchemaNode Root(SchemaNode spec) => new()
    {
        Type = SchemaType.Object,
        Properties = new Dictionary<string, SchemaNode>(StringComparer.Ordinal) { ["spec"] = spec },
    };

    /// <summary>A resource with a valid name whose spec is the given YAML block (written without indentation).</summary>
    public static MapNode Doc(string spec) =>
        Parse("apiVersion: example.io/v1\nkind: Thing\nmetadata:\n  name: thing\nspec:\n" + Indent(spec));

    public static MapNode Parse(string yaml) => (MapNode)YamlReader.Read(yaml, "t.yaml").Single().Root!;

    public static IReadOnlyList<Diagnostic> Check(SchemaNode spec, string specYaml, bool strict = true, ICelRuleEvaluator? cel = null) =>
        new SchemaValidator().Validate(Root(spec), Doc(specYaml), new SchemaValidationOptions { Strict = strict, CelEvaluator = cel });

    /// <summary>What a user reads: "path: message" for each diagnostic, in order.</summary>
    public static string[] Details(SchemaNode spec, string specYaml, bool strict = true, ICelRuleEvaluator? cel = null) =>
        Check(spec, specYaml, strict, cel).Select(d => d.Detail).ToArray();

    private static string Indent(string block) =>
        string.Join('\n', block.TrimEnd('\n').Split('\n').Select(l => "  " + l)) + "\n";
}
