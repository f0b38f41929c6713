using Weft.Api.Tests.Corpus;
using Xunit.Abstractions;

namespace Weft.Api.Tests.Validation.Workloads;

/// <summary>The corpus' validation cases for ServiceEntry, Sidecar, WorkloadEntry, WorkloadGroup, EnvoyFilter and ProxyConfig.</summary>
public sealed class WorkloadsConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> CaseIds => ValidationCase.Ids(c => WorkloadsTestKit.Kinds.Contains(c.Kind));

    [SkippableTheory]
    [MemberData(nameof(CaseIds))]
    public void Case_is_decided_as_istio_decides_it(string id)
    {
        var c = ValidationCase.Get(id);
        Skip.If(WorkloadsTestKit.KnownDifferences().TryGetValue(id, out var reason), $"known difference: {reason}");
        var disagreement = Disagreement(c);
        Assert.True(disagreement is null, $"{id} ({c.Reason}): {disagreement}");
    }

    [SkippableFact]
    public void Agreement_with_istio()
    {
        IstioCorpus.Require();
        var cases = ValidationCase.Load().Where(c => WorkloadsTestKit.Kinds.Contains(c.Kind)).ToList();
        var known = WorkloadsTestKit.KnownDifferences();
        var agreed = 0;
        foreach (var c in cases)
        {
            if (Disagreement(c) is { } why)
            {
                output.WriteLine($"DISAGREE {c.Id}: {why}");
            }
            else
            {
                agreed++;
            }
        }

        var listed = cases.Count(c => known.ContainsKey(c.Id));
        output.WriteLine(
            $"workloads kinds: {agreed}/{cases.Count} cases agree with Istio ({100.0 * agreed / Math.Max(1, cases.Count):F1}%); "
            + $"{listed} listed as known differences");
        foreach (var kind in cases.GroupBy(c => c.Kind))
        {
            output.WriteLine($"  {kind.Key}: {kind.Count(c => Disagreement(c) is null)}/{kind.Count()}");
        }

        var unexpected = cases.Where(c => !known.ContainsKey(c.Id) && Disagreement(c) is not null).Select(c => c.Id).ToList();
        Assert.True(unexpected.Count == 0, "cases that disagree with Istio and are not known differences: " + string.Join(", ", unexpected));
    }

    /// <summary>Null when Weft decides the case as Istio does, else what differs.</summary>
    private static string? Disagreement(ValidationCase c)
    {
        var findings = WorkloadsTestKit.Validate(c.Yaml);
        var errors = findings.Errors().ToList();
        var warnings = findings.Warnings().ToList();
        if (c.ExpectValid && errors.Count > 0)
        {
            return "expected valid, got errors:\n" + findings.Describe();
        }

        if (!c.ExpectValid && errors.Count == 0)
        {
            return "expected invalid, got no error:\n" + findings.Describe();
        }

        if (!c.ExpectValid && c.ErrorContains is { } expected
            && !errors.Any(e => e.Message.Contains(expected, StringComparison.Ordinal) || $"{e.Path}: {e.Message}".Contains(expected, StringComparison.Ordinal)))
        {
            return $"no error contains \"{expected}\":\n" + findings.Describe();
        }

        if (c.ExpectWarning == true && warnings.Count == 0)
        {
            return "expected a warning, got none:\n" + findings.Describe();
        }

        if (c.ExpectWarning == false && warnings.Count > 0)
        {
            return "expected no warning, got:\n" + findings.Describe();
        }

        return null;
    }
}
