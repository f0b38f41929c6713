using System.Globalization;
using Weft.Api.Tests.Corpus;
using Weft.Api.Tests.Validation.Security;
using Weft.Api.Tests.Validation.Workloads;
using Xunit.Abstractions;

namespace Weft.Api.Tests.Validation;

/// <summary>
/// The corpus' hand-written validation cases (Istio's own verdicts) through Weft's semantic rules alone: valid cases
/// raise no error, invalid ones raise one (with the expected text), warnings as expected. The whole pipeline, schema
/// check included, is held to the same cases in Conformance/CasesConformanceTests.
/// </summary>
public sealed class SemanticConformanceTests(ITestOutputHelper output)
{
    // The istioctl cases whose verdict rests on Istio's semantic rules rather than on the schema.
    private static readonly HashSet<string> IstioctlCases = new(StringComparer.Ordinal) { "iv-001", "iv-002", "iv-003", "iv-014", "iv-015" };

    public static TheoryData<string> CaseIds() => ValidationCase.Ids(c => AreaOf(c) is not null);

    private static string? AreaOf(ValidationCase c) =>
        c.Id.StartsWith("vs-", StringComparison.Ordinal) || c.Id.StartsWith("dr-", StringComparison.Ordinal)
        || c.Id.StartsWith("gw-", StringComparison.Ordinal) || IstioctlCases.Contains(c.Id) ? "traffic"
        : WorkloadsTestKit.Kinds.Contains(c.Kind) ? "workloads"
        : SecurityValidation.Kinds.Contains(c.Kind) ? "security"
        : null;

    [SkippableTheory]
    [MemberData(nameof(CaseIds))]
    public void Case_is_decided_as_istio_decides_it(string id)
    {
        var c = ValidationCase.Get(id);
        var disagreement = SemanticValidation.Disagreement(c);
        if (SemanticValidation.KnownDifferences().TryGetValue(id, out var reason))
        {
            Assert.True(disagreement is not null, $"{id} is listed in known-differences.yaml but Weft now agrees with Istio; remove the entry");
            Skip.If(true, $"known difference: {reason}");
        }

        Assert.True(disagreement is null, $"{id} ({c.Kind}, {c.Reason}): {disagreement}\n---\n{c.Yaml}");
    }

    [SkippableFact]
    public void Agreement_with_istio()
    {
        IstioCorpus.Require();
        var known = SemanticValidation.KnownDifferences();
        var cases = ValidationCase.Load().Where(c => AreaOf(c) is not null).ToList();
        var unexplained = new List<string>();
        foreach (var area in cases.GroupBy(c => AreaOf(c)!))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{area.Key}: {area.Count(c => SemanticValidation.Disagreement(c) is null)}/{area.Count()} cases agree with Istio"));
            foreach (var kind in area.GroupBy(c => c.Kind))
            {
                output.WriteLine($"  {kind.Key}: {kind.Count(c => SemanticValidation.Disagreement(c) is null)}/{kind.Count()}");
            }
        }

        foreach (var c in cases)
        {
            if (SemanticValidation.Disagreement(c) is { } why)
            {
                output.WriteLine($"DIFFERS {c.Id}: {(known.TryGetValue(c.Id, out var reason) ? "known: " + reason : why)}");
                if (!known.ContainsKey(c.Id))
                {
                    unexplained.Add(c.Id);
                }
            }
        }

        Assert.True(unexplained.Count == 0, "cases that disagree with Istio and are not known differences: " + string.Join(", ", unexplained));
    }
}
