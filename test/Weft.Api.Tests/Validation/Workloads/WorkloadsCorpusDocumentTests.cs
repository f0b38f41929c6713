using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Model.Decoding;
using Weft.Api.Tests.Corpus;
using Weft.Api.Validation;
using Xunit.Abstractions;

namespace Weft.Api.Tests.Validation.Workloads;

/// <summary>
/// The corpus' YAML documents of the workloads kinds: those Istio accepts (the valid fixtures, the configuration
/// istiod's tests load, the samples users apply) must pass Weft's semantic validation without errors.
/// </summary>
public sealed class WorkloadsCorpusDocumentTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Documents_istio_accepts_pass_semantic_validation()
    {
        var corpus = IstioCorpus.Require();
        var checkedCount = 0;
        var failures = new List<string>();
        foreach (var dir in new[] { "validation/valid", "samples" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(corpus, dir), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                foreach (var (index, resource) in Resources(file))
                {
                    var context = new ValidationContext(resource);
                    SpecValidators.For(resource.Kind)!.Validate(context);
                    checkedCount++;
                    var errors = context.Findings.Where(f => f.Severity == Severity.Error).ToList();
                    if (errors.Count > 0)
                    {
                        failures.Add($"{Path.GetRelativePath(corpus, file)}#{index} {resource.DisplayName}: "
                            + string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")));
                    }
                }
            }
        }

        output.WriteLine($"{checkedCount} documents of the workloads kinds checked, {failures.Count} with errors");
        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }

        Assert.True(checkedCount > 0, "no documents of the workloads kinds found");
        Assert.Empty(failures);
    }

    [SkippableFact]
    public void Invalid_fixtures_report()
    {
        // The CRD fixtures Istio rejects: mostly schema failures, which the schema check reports; printed for review.
        var corpus = IstioCorpus.Require();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(corpus, "validation/invalid"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            foreach (var (index, resource) in Resources(file))
            {
                var context = new ValidationContext(resource);
                SpecValidators.For(resource.Kind)!.Validate(context);
                var expected = NodeRead.String(resource.Node["_err"]);
                var errors = context.Findings.Where(f => f.Severity == Severity.Error).Select(e => $"{e.Path}: {e.Message}").ToList();
                output.WriteLine($"{Path.GetFileName(file)}#{index} {resource.Name} (_err: {expected}) => {(errors.Count == 0 ? "no semantic error" : string.Join("; ", errors))}");
            }
        }
    }

    private static IEnumerable<(int Index, Weft.Api.Model.Resource Resource)> Resources(string file)
    {
        var documents = YamlReader.Read(File.ReadAllText(file), file);
        foreach (var document in documents)
        {
            if (document.Root is not MapNode root || !WorkloadsTestKit.Kinds.Contains(NodeRead.String(root["kind"]) ?? string.Empty))
            {
                continue;
            }

            var resource = ResourceDecoder.Decode(root, new List<Diagnostic>());
            if (resource is not null)
            {
                yield return (document.Index, resource);
            }
        }
    }
}
