using Weft.Api.Documents;
using Weft.Api.Schema;
using static Weft.Api.Tests.Schema.SchemaKit;

namespace Weft.Api.Tests.Schema;

public sealed class CelRuleTests
{
    private static SchemaNode WithRules(SchemaNode schema, params CelRule[] rules) => new()
    {
        Type = schema.Type,
        Properties = schema.Properties,
        AdditionalProperties = schema.AdditionalProperties,
        Items = schema.Items,
        Rules = rules,
    };

    [Fact]
    public void A_failed_rule_shows_the_schema_type_and_the_message()
    {
        var spec = WithRules(Obj(("a", Str), ("b", Str)), new CelRule("!(has(self.a) && has(self.b))", "only one of a or b"));
        var d = Assert.Single(Check(spec, "a: x\nb: y", cel: new Scripted(_ => CelOutcome.Failed)));
        Assert.Equal("spec: Invalid value: \"object\": only one of a or b", d.Detail);
        Assert.Equal(SpecFirstLine, d.Location.Line);
    }

    [Fact]
    public void Without_a_message_the_rule_itself_is_shown()
    {
        var port = new SchemaNode { Type = SchemaType.Integer, Rules = [new CelRule("self <= 65535")] };
        Assert.Equal(
            ["spec.port: Invalid value: \"integer\": failed rule: self <= 65535"],
            Details(Obj(("port", port)), "port: 70000", cel: new Scripted(_ => CelOutcome.Failed)));
    }

    [Fact]
    public void An_evaluation_error_says_the_rule_could_not_be_evaluated()
    {
        var ports = new SchemaNode { Type = SchemaType.Object, AdditionalProperties = Obj(("mode", Str)), Rules = [new CelRule("self.all(k, int(k) > 0)", "port must be between 1-65535")] };
        Assert.Equal(
            ["spec.ports: Invalid value: \"object\": type conversion error from 'string' to 'int' evaluating rule: port must be between 1-65535"],
            Details(Obj(("ports", ports)), "ports:\n  acd: {mode: STRICT}", cel: new Scripted(_ => CelOutcome.Fault("type conversion error from 'string' to 'int'"))));
    }

    [Fact]
    public void An_evaluator_that_throws_gives_an_evaluation_error_not_a_crash()
    {
        var name = new SchemaNode { Type = SchemaType.String, Rules = [new CelRule("self.size() > 0")] };
        Assert.Equal(
            ["spec.name: Invalid value: \"string\": boom evaluating rule: self.size() > 0"],
            Details(Obj(("name", name)), "name: x", cel: new Scripted(_ => throw new InvalidOperationException("boom"))));
    }

    [Fact]
    public void Rules_see_the_node_they_are_attached_to()
    {
        var seen = new List<string>();
        var name = new SchemaNode { Type = SchemaType.String, Rules = [new CelRule("self != ''")] };
        var spec = Obj(("names", new SchemaNode { Type = SchemaType.Array, Items = name }));
        Check(spec, "names: [a, b]", cel: new Scripted(self => { seen.Add(((ScalarNode)self).Text); return CelOutcome.Passed; }));
        Assert.Equal(["a", "b"], seen);
    }

    [Fact]
    public void Absent_and_null_values_are_not_evaluated()
    {
        var calls = 0;
        var url = new SchemaNode { Type = SchemaType.String, Nullable = true, Rules = [new CelRule("self.startsWith('http')")] };
        var cel = new Scripted(_ => { calls++; return CelOutcome.Failed; });
        Assert.Empty(Check(Obj(("url", url), ("other", Str)), "other: x", cel: cel));
        Assert.Empty(Check(Obj(("url", url)), "url: null", cel: cel));
        Assert.Equal(0, calls);
    }

    [Fact]
    public void Map_values_are_named_by_subscript_in_rule_errors()
    {
        var value = new SchemaNode { Type = SchemaType.String, Rules = [new CelRule("!self.contains('*')", "wildcard not allowed in label value match")] };
        var spec = Obj(("matchLabels", new SchemaNode { Type = SchemaType.Object, AdditionalProperties = value }));
        Assert.Equal(
            ["spec.matchLabels[app]: Invalid value: \"string\": wildcard not allowed in label value match"],
            Details(spec, "matchLabels:\n  app: \"a*\"", cel: new Scripted(_ => CelOutcome.Failed)));
    }

    [Fact]
    public void Field_path_and_reason_are_honoured()
    {
        var spec = WithRules(Obj(("a", Str)), new CelRule("has(self.a)", "a is required", FieldPath: ".a", Reason: "FieldValueRequired"));
        Assert.Equal(["spec.a: Required value: a is required"], Details(spec, "{}", cel: new Scripted(_ => CelOutcome.Failed)));
    }

    [Fact]
    public void Rules_are_not_run_over_an_object_with_type_errors()
    {
        var calls = 0;
        var spec = WithRules(Obj(("port", Int)), new CelRule("true"));
        Assert.Equal(
            [
                "spec.port: Invalid value: \"string\": spec.port in body must be of type integer: \"string\"",
                "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
            ],
            Details(spec, "port: x", cel: new Scripted(_ => { calls++; return CelOutcome.Passed; })));
        Assert.Equal(0, calls);
    }

    [Fact]
    public void Without_an_evaluator_rules_are_skipped_silently()
    {
        var spec = WithRules(Obj(("a", Str)), new CelRule("false", "never"));
        Assert.Empty(Check(spec, "a: x", cel: null));
    }

    /// <summary>An evaluator whose answer the test decides; it does not evaluate CEL.</summary>
    private sealed class Scripted(Func<Node, CelOutcome> answer) : ICelRuleEvaluator
    {
        public CelOutcome Evaluate(CelRule rule, Node self) => answer(self);
    }
}
