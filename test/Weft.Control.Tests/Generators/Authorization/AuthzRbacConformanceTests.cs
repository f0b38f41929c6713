using Weft.Control.Tests.Support;
using Xunit.Abstractions;

namespace Weft.Control.Tests.Generators.Authorization;

/// <summary>
/// Istio's own AuthorizationPolicy translation goldens (the corpus' xds-golden/authz-rbac suite, 22 HTTP and 7 TCP
/// cases): each input is generated for the manifest's workload (namespace <c>foo</c>, <c>app=httpbin, version=v1</c>)
/// with the manifest's builder, extension providers and trust domains, and the filters must equal Istio's, compared as
/// protos (both sides parsed into Weft's Envoy messages and rendered canonically: field order and defaults do not
/// matter, list order does).
/// </summary>
public sealed class AuthzRbacConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases => AuthzGoldenCase.Ids();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Generates_the_filters_Istio_generates(string id)
    {
        var golden = AuthzGoldenCase.Get(id);
        var (expected, actual) = Compare(golden);

        // The typed configs are compared by content: the canonical form renders them (an unreadable one would throw).
        Assert.All(expected, e => Assert.Contains("\"@type\"", e, StringComparison.Ordinal));
        Assert.Equal(expected, actual);
    }

    [SkippableFact]
    public void Every_case_of_the_suite_passes_and_the_count_is_reported()
    {
        IstioCorpus.Require();
        var cases = AuthzGoldenCase.Load();
        var failing = cases.Where(c =>
        {
            var (expected, actual) = Compare(c);
            return !expected.SequenceEqual(actual);
        }).Select(c => c.Id).ToArray();
        output.WriteLine($"authz-rbac: {cases.Count - failing.Length}/{cases.Count} cases pass ({cases.Count(c => !c.Tcp)} HTTP, {cases.Count(c => c.Tcp)} TCP)");
        foreach (var id in failing)
        {
            output.WriteLine("failing: " + id);
        }

        Assert.Equal(29, cases.Count);
        Assert.Empty(failing);
    }

    private static (IReadOnlyList<string> Expected, IReadOnlyList<string> Actual) Compare(AuthzGoldenCase golden) =>
        (AuthzGoldenGeneration.Expected(golden).Select(YamlProto.Canonical).ToArray(), AuthzGoldenGeneration.Generate(golden).Select(YamlProto.Canonical).ToArray());
}
