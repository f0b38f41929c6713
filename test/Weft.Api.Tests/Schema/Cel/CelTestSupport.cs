using Weft.Api.Documents;
using Weft.Api.Schema;
using Weft.Api.Schema.Cel;

namespace Weft.Api.Tests.Schema.Cel;

internal static class CelTestSupport
{
    public static readonly CelRuleEvaluator Evaluator = new();

    public static Node Yaml(string yaml) => YamlReader.Read(yaml, "t.yaml").Single().Root!;

    public static CelOutcome Run(string rule, string selfYaml) => Evaluator.Evaluate(new CelRule(rule), Yaml(selfYaml));

    /// <summary>"Passed", "Failed", or "Error" followed by the start of the error, for compact expectations.</summary>
    public static void AssertOutcome(string expected, CelOutcome actual, string rule)
    {
        var kind = expected.Split(':', 2)[0];
        Assert.True(
            kind == actual.Kind.ToString(),
            $"rule {rule}: expected {expected}, got {actual.Kind}{(actual.Error is null ? string.Empty : ": " + actual.Error)}");
        if (expected.Contains(':', StringComparison.Ordinal))
        {
            var text = expected.Split(':', 2)[1].Trim();
            Assert.Contains(text, actual.Error ?? string.Empty, StringComparison.Ordinal);
        }
    }
}
