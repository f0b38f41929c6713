using Weft.Api.Model.Security;
using Weft.Control.Tests.Support;
using Xunit.Abstractions;

namespace Weft.Proxy.Tests.Authorization;

/// <summary>
/// For every case of the corpus' authz-rbac suite, requests that probe its policies are evaluated by the proxy under the
/// filters Weft generates and under Istio's expected filters: every decision (allowed or not, the response details, the
/// shadow results left in dynamic metadata) must be the same.
/// </summary>
public sealed class AuthzGoldenBehaviourTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases => AuthzGoldenCase.Ids();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void The_generated_filters_decide_every_probe_as_Istios_filters_do(string id)
    {
        var golden = AuthzGoldenCase.Get(id);
        var generated = AuthzGoldenGeneration.Generate(golden);
        var expected = AuthzGoldenGeneration.Expected(golden);
        var probes = PolicyProbes.For(AuthzGoldenGeneration.Policies(golden).Select(r => (r.Namespace, (AuthorizationPolicySpec)r.Spec!)));

        var allowed = 0;
        foreach (var probe in probes)
        {
            var istio = AuthorizationOutcome.Of(expected, probe, golden.Tcp);
            var weft = AuthorizationOutcome.Of(generated, probe, golden.Tcp);
            Assert.True(istio == weft, $"{probe}:\n  Istio's filters: {istio}\n  Weft's filters:  {weft}");
            allowed += istio.Allowed ? 1 : 0;
        }

        output.WriteLine($"{id}: {probes.Count} probes, {allowed} allowed, {probes.Count - allowed} denied");
        Assert.True(probes.Count > 1, "the policies gave nothing to probe");
    }
}
