using Weft.Api.Documents;
using Weft.Api.Model.Decoding;
using Weft.Api.Tests.Corpus;
using Xunit.Abstractions;

namespace Weft.Api.Tests.Validation.Traffic;

/// <summary>
/// Weft's VirtualService, DestinationRule and Gateway rules against the corpus' hand-written cases (Istio's own
/// verdicts): valid cases raise no error, invalid ones raise one (with the expected text), warnings as expected.
/// </summary>
public sealed class TrafficConformanceTests(ITestOutputHelper output)
{
    private static readonly HashSet<string> IstioctlCases = new(StringComparer.Ordinal) { "iv-001", "iv-002", "iv-003", "iv-014", "iv-015" };

    public static TheoryData<string> CaseIds => ValidationCase.Ids(IsTrafficCase);

    private static bool IsTrafficCase(ValidationCase c) =>
        c.Id.StartsWith("vs-", StringComparison.Ordinal) || c.Id.StartsWith("dr-", StringComparison.Ordinal)
        || c.Id.StartsWith("gw-", StringComparison.Ordinal) || IstioctlCases.Contains(c.Id);

    [SkippableTheory]
    [MemberData(nameof(CaseIds))]
    public void Case_is_decided_as_Istio_decides_it(string id)
    {
        var c = ValidationCase.Get(id);
        var known = KnownDifferences();
        Skip.If(known.TryGetValue(id, out var reason), $"known difference: {reason}");
        var outcome = TrafficValidation.Run(c.Yaml);
        output.WriteLine(outcome.ToString());
        Assert.True(Disagreement(c, outcome) is null, $"{id} ({c.Reason}): {Disagreement(c, outcome)}\n{outcome}");
    }

    [SkippableFact]
    public void Agreement_over_all_traffic_cases()
    {
        IstioCorpus.Require();
        var cases = ValidationCase.Load().Where(IsTrafficCase).ToList();
        var known = KnownDifferences();
        var agreed = 0;
        var failures = new List<string>();
        foreach (var c in cases)
        {
            if (Disagreement(c, TrafficValidation.Run(c.Yaml)) is { } why)
            {
                failures.Add($"{c.Id}: {why}");
            }
            else
            {
                agreed++;
            }
        }

        var unexplained = failures.Where(f => !known.ContainsKey(f[..f.IndexOf(':', StringComparison.Ordinal)])).ToList();
        output.WriteLine($"Traffic cases (VirtualService, DestinationRule, Gateway): {agreed}/{cases.Count} agree with Istio ({100.0 * agreed / cases.Count:F1}%), {known.Count(k => cases.Any(c => c.Id == k.Key))} listed as known differences");
        foreach (var failure in failures)
        {
            output.WriteLine("  " + failure);
        }

        Assert.Empty(unexplained);
    }

    /// <summary>Null when Weft decides <paramref name="c"/> as Istio does, else what differs.</summary>
    private static string? Disagreement(ValidationCase c, TrafficValidation.Outcome outcome)
    {
        if (c.ExpectValid && !outcome.Valid)
        {
            return "Istio accepts it, Weft reports errors";
        }

        if (!c.ExpectValid)
        {
            if (outcome.Valid)
            {
                return "Istio rejects it, Weft reports no error";
            }

            if (c.ErrorContains is { } expected && !outcome.Errors.Any(e =>
                    e.Message.Contains(expected, StringComparison.Ordinal) || $"{e.Path}: {e.Message}".Contains(expected, StringComparison.Ordinal)))
            {
                return $"no error mentions \"{expected}\"";
            }
        }

        if (c.ExpectWarning == true && outcome.Warnings.Count == 0)
        {
            return "Istio warns, Weft does not";
        }

        if (c.ExpectWarning == false && outcome.Warnings.Count > 0)
        {
            return "Istio does not warn, Weft does";
        }

        return null;
    }

    /// <summary>The ids listed in known-differences.yaml, with their reasons.</summary>
    internal static IReadOnlyDictionary<string, string> KnownDifferences() => Conformance.KnownDifferences.All;
}
