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

    private static readonly SchemaValidationOptions Options = new() { Strict = true, CelEvaluator = new Weft.Api.Schema.Cel.CelRuleEvaluator() };

    public static TheoryData<string> Ids => CrdSchemaCorpus.Ids();

    [SkippableTheory]
    [MemberData(nameof(Ids))]
    public void Document_is_judged_as_the_api_server_judges_it(string id)
    {
        IstioCorpus.Require();
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

        output.WriteLine($"crd-schema: {agree}/{total} agree");
        Assert.Empty(disagreements);
    }

    private static IReadOnlyList<Diagnostic> Validate(CorpusCase c) => Validator.Validate(CrdSchemaCorpus.SchemaFor(c), c.Resource, Options);
}
