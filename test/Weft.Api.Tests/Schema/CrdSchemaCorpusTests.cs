using Weft.Api.Schema;
using Weft.Api.Tests.Corpus;
using Weft.Api.Validation;
using Xunit.Abstractions;

namespace Weft.Api.Tests.Schema;

/// <summary>
/// The corpus's crd-schema suite: each document validated strictly against its CRD version, as istio/api's
/// tests/validation_test.go does. Valid documents must produce no error; invalid ones an error containing
/// their <c>_err</c> text.
/// </summary>
public sealed class CrdSchemaCorpusTests(ITestOutputHelper output)
{
    private static readonly SchemaValidator Validator = new();

    // No CEL evaluator yet: see CasesNeedingCel.
    private static readonly SchemaValidationOptions Options = new() { Strict = true, CelEvaluator = null };

    public static TheoryData<string> Ids => CrdSchemaCorpus.Ids();

    [SkippableTheory]
    [MemberData(nameof(Ids))]
    public void Document_is_judged_as_the_api_server_judges_it(string id)
    {
        IstioCorpus.Require();
        Skip.If(CasesNeedingCel.Ids.TryGetValue(id, out var rule), $"needs CEL evaluator: {rule}");
        var c = CrdSchemaCorpus.Get(id);
        var diagnostics = Validate(c);
        foreach (var d in diagnostics)
        {
            output.WriteLine(d.ToString());
        }

        if (c.ExpectValid)
        {
            Assert.Empty(diagnostics);
        }
        else
        {
            Assert.Contains(diagnostics, d => d.Detail.Contains(c.ErrorContains!, StringComparison.Ordinal));
        }
    }

    [SkippableFact]
    public void Agreement_with_the_corpus()
    {
        IstioCorpus.Require();
        var total = 0;
        var agree = 0;
        var disagreements = new List<string>();
        foreach (var c in CrdSchemaCorpus.All)
        {
            total++;
            var diagnostics = Validate(c);
            var ok = c.ExpectValid
                ? diagnostics.Count == 0
                : diagnostics.Any(d => d.Detail.Contains(c.ErrorContains!, StringComparison.Ordinal));
            if (ok)
            {
                agree++;
            }
            else
            {
                disagreements.Add(c.Id);
                output.WriteLine($"DISAGREE {c.Id} ({c.Name}) expected {(c.ExpectValid ? "valid" : c.ErrorContains)}; got: {string.Join(" | ", diagnostics.Select(d => d.Detail))}");
            }
        }

        output.WriteLine($"crd-schema: {agree}/{total} agree ({CasesNeedingCel.Ids.Count} need the CEL evaluator)");
        Assert.Equal(CasesNeedingCel.Ids.Keys.Order(StringComparer.Ordinal), disagreements.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Checks the plumbing the CEL evaluator will use (where rules run, paths, message form) with a stand-in that
    /// fails exactly the rule named in <see cref="CasesNeedingCel"/>; it says nothing about evaluating CEL itself.
    /// </summary>
    [SkippableFact]
    public void Cel_dependent_cases_give_the_expected_text_once_their_rule_fails()
    {
        IstioCorpus.Require();
        foreach (var (id, expectation) in CasesNeedingCel.Ids)
        {
            var c = CrdSchemaCorpus.Get(id);
            var options = Options with { CelEvaluator = new OneRuleFails(expectation) };
            var diagnostics = Validator.Validate(CrdSchemaCorpus.SchemaFor(c), c.Resource, options);
            Assert.True(
                diagnostics.Any(d => d.Detail.Contains(c.ErrorContains!, StringComparison.Ordinal)),
                $"{id}: expected \"{c.ErrorContains}\", got: {string.Join(" | ", diagnostics.Select(d => d.Detail))}");
        }
    }

    private static IReadOnlyList<Diagnostic> Validate(CorpusCase c) => Validator.Validate(CrdSchemaCorpus.SchemaFor(c), c.Resource, Options);

    private sealed class OneRuleFails(CelExpectation expectation) : ICelRuleEvaluator
    {
        public CelOutcome Evaluate(CelRule rule, Weft.Api.Documents.Node self)
        {
            if (rule.Message is null || !rule.Message.Contains(expectation.RuleMessage, StringComparison.Ordinal))
            {
                return CelOutcome.Passed;
            }

            return expectation.RuntimeError is { } error ? CelOutcome.Fault(error) : CelOutcome.Failed;
        }
    }
}
