using Weft.Api.Tests.Corpus;
using Xunit.Abstractions;

namespace Weft.Api.Tests.Conformance;

/// <summary>
/// validation/cases.yaml through the whole pipeline a user runs (schema check + Istio's rules): Istio's verdict,
/// its error text where the case asserts one, and its warnings; every finding located at file:line.
/// </summary>
public sealed class CasesConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> AllCases => ValidationCase.Ids(_ => true);

    [SkippableTheory]
    [MemberData(nameof(AllCases))]
    public void Case_is_decided_as_istio_decides(string id)
    {
        var c = ValidationCase.Get(id);
        var (agrees, why, diagnostics) = CaseJudge.Judge(c);
        foreach (var d in diagnostics)
        {
            output.WriteLine(d.ToString());
        }

        Assert.True(agrees, $"{id} ({c.Reason}): {why}");
    }

    [SkippableFact]
    public void Agreement_figure()
    {
        IstioCorpus.Require();
        var cases = ValidationCase.Load();
        var disagreements = cases.Select(c => (c, CaseJudge.Judge(c))).Where(x => !x.Item2.Agrees).Select(x => $"{x.c.Id}: {x.Item2.Why}").ToList();
        output.WriteLine(Figures.Write("cases", cases.Count - disagreements.Count, cases.Count, disagreements));
        Assert.Equal(221, cases.Count);
        Assert.Empty(disagreements);
    }
}
