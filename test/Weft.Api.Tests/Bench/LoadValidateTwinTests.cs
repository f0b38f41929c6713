using Weft.Api.Validation;
using Weft.Bench;

namespace Weft.Api.Tests.Bench;

/// <summary>The load + validate benchmark's scenario, run once, so the benchmark cannot rot unnoticed.</summary>
public sealed class LoadValidateTwinTests
{
    [Fact]
    public void Generated_configuration_loads_and_is_valid()
    {
        var yaml = SyntheticConfig.Generate(1_000);
        var report = new ConfigValidator().Validate(yaml, "bench.yaml");
        Assert.True(report.IsValid, string.Join("\n", report.AllDiagnostics.Take(5)));
        Assert.Equal(1_000, report.Resources.Count);
        Assert.Equal(0, report.WarningCount);
        Assert.Equal(["AuthorizationPolicy", "DestinationRule", "ServiceEntry", "VirtualService"], report.Resources.Select(r => r.Kind!).Distinct().Order());
    }
}
