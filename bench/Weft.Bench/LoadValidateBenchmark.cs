using BenchmarkDotNet.Attributes;
using Weft.Api.Documents;
using Weft.Api.Validation;

namespace Weft.Bench;

/// <summary>
/// Load + validate of a large generated configuration, against parsing the same YAML alone (the baseline),
/// so the ratio shows what Weft's model, schema check and Istio rules cost over reading the bytes.
/// </summary>
[MemoryDiagnoser]
public class LoadValidateBenchmark
{
    private string _yaml = string.Empty;
    private ConfigValidator _validator = null!;

    [Params(10_000)]
    public int Resources { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _yaml = SyntheticConfig.Generate(Resources);
        _validator = new ConfigValidator();
        if (!_validator.Validate(_yaml, "bench.yaml").IsValid)
        {
            throw new InvalidOperationException("the generated configuration must be valid");
        }
    }

    [Benchmark(Baseline = true, Description = "parse YAML only")]
    public int ParseOnly() => YamlReader.Read(_yaml, "bench.yaml").Count;

    [Benchmark(Description = "load + validate")]
    public int LoadAndValidate() => _validator.Validate(_yaml, "bench.yaml").Resources.Count;
}
