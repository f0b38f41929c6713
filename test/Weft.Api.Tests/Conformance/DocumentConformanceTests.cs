using Weft.Api.Tests.Corpus;
using Weft.Api.Validation;
using Xunit.Abstractions;

namespace Weft.Api.Tests.Conformance;

/// <summary>
/// validation/expectations.yaml (CRD-schema fixtures and istiod's own test config) and every Istio document in
/// samples/, validated as a user's `weft validate` would validate them.
/// </summary>
public sealed class DocumentConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Expectations => Ids(CorpusDocument.FromExpectations());

    public static TheoryData<string> Samples => Ids(CorpusDocument.IstioSamples());

    [SkippableTheory]
    [MemberData(nameof(Expectations))]
    public void Fixture_document_is_decided_as_istio_decides(string id)
    {
        IstioCorpus.Require();
        var doc = CorpusDocument.FromExpectations().Single(d => d.Id == id);
        var (agrees, why) = Judge(doc, Path.Combine(IstioCorpus.Directory!, "validation"));
        Assert.True(agrees, $"{id}: {why}");
    }

    [SkippableTheory]
    [MemberData(nameof(Samples))]
    public void Istio_sample_is_valid(string id)
    {
        IstioCorpus.Require();
        var doc = CorpusDocument.IstioSamples().Single(d => d.Id == id);
        var (agrees, why) = Judge(doc, Path.Combine(IstioCorpus.Directory!, "samples"));
        Assert.True(agrees, $"{id}: {why}");
    }

    [SkippableFact]
    public void Agreement_figures()
    {
        IstioCorpus.Require();
        Report("expectations", CorpusDocument.FromExpectations(), "validation", 190);
        Report("samples", CorpusDocument.IstioSamples(), "samples", 67);
    }

    private void Report(string suite, IReadOnlyList<CorpusDocument> docs, string dir, int expectedCount)
    {
        var baseDir = Path.Combine(IstioCorpus.Directory!, dir);
        var disagreements = docs.Select(d => (d, Judge(d, baseDir))).Where(x => !x.Item2.Agrees).Select(x => $"{x.d.Id}: {x.Item2.Why}").ToList();
        output.WriteLine(Figures.Write(suite, docs.Count - disagreements.Count, docs.Count, disagreements));
        Assert.Equal(expectedCount, docs.Count);
        Assert.Empty(disagreements);
    }

    private static (bool Agrees, string Why) Judge(CorpusDocument doc, string baseDir)
    {
        var root = doc.Load(baseDir);
        var known = KnownDifferences.Contains(doc.Id);
        var strict = new ConfigValidator().ValidateResource(root);
        var errors = strict.Errors.ToList();
        if (doc.StrictInvalid)
        {
            // A removed field: rejected when decoding strictly, accepted when unknown fields are ignored.
            var lenient = new ConfigValidator(new ValidationOptions { Strict = false }).ValidateResource(root);
            if (errors.Count == 0 || !lenient.IsValid)
            {
                return (false, $"strict: {errors.Count} error(s), lenient: {string.Join(" | ", lenient.Errors.Select(e => e.Detail))}");
            }

            return (true, "agrees");
        }

        var expectValid = doc.ExpectValid ^ known;
        if (expectValid != (errors.Count == 0))
        {
            return (false, $"expected {(expectValid ? "valid" : "invalid")}, got: {string.Join(" | ", errors.Select(e => e.Detail))}");
        }

        if (!expectValid && !known && doc.ErrorContains is { } text && !errors.Any(e => e.Detail.Contains(text, StringComparison.Ordinal)))
        {
            return (false, $"no error contains \"{text}\": {string.Join(" | ", errors.Select(e => e.Detail))}");
        }

        return (true, "agrees");
    }

    private static TheoryData<string> Ids(IReadOnlyList<CorpusDocument> docs)
    {
        var data = new TheoryData<string>();
        if (docs.Count == 0)
        {
            data.Add("(no corpus)");
        }

        foreach (var d in docs)
        {
            data.Add(d.Id);
        }

        return data;
    }
}
