using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Model;
using Weft.Api.Model.Decoding;
using Weft.Api.Tests.Corpus;
using Weft.Api.Validation;
using Xunit.Abstractions;

namespace Weft.Api.Tests.Validation;

/// <summary>
/// The corpus' real configuration: what Istio accepts (the valid fixtures, the config istiod's tests load, the samples
/// users apply) raises no error from Weft's semantic rules.
/// </summary>
public sealed class SemanticCorpusDocumentsTests(ITestOutputHelper output)
{
    // The traffic kinds are held to the corpus' own verdicts per document instead (Traffic/TrafficCorpusFilesTests).
    private static readonly HashSet<string> Kinds = [.. Workloads.WorkloadsTestKit.Kinds, .. Security.SecurityValidation.Kinds];

    [SkippableFact]
    public void Documents_istio_accepts_pass_semantic_validation()
    {
        var corpus = IstioCorpus.Require();
        var checkedCount = 0;
        var failures = new List<string>();
        foreach (var dir in new[] { Path.Combine("validation", "valid"), "samples" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(corpus, dir), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                foreach (var (index, resource) in Resources(file))
                {
                    var context = SemanticValidation.Run(resource);
                    checkedCount++;
                    if (context.HasErrors)
                    {
                        failures.Add($"{Path.GetRelativePath(corpus, file)}#{index} {resource.DisplayName}:\n{context.Describe()}");
                    }
                }
            }
        }

        output.WriteLine($"{checkedCount} documents checked, {failures.Count} with errors");
        Assert.True(checkedCount > 0, "no documents of kinds with semantic rules found");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [SkippableFact]
    public void Invalid_fixtures_report()
    {
        // The CRD fixtures Istio rejects: mostly schema failures, which the schema check reports; printed for review.
        var corpus = IstioCorpus.Require();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(corpus, "validation", "invalid"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            foreach (var (index, resource) in Resources(file))
            {
                var context = SemanticValidation.Run(resource);
                var expected = NodeRead.String(resource.Node["_err"]);
                var errors = context.Errors().Select(e => $"{e.Path}: {e.Message}").ToList();
                output.WriteLine($"{Path.GetFileName(file)}#{index} {resource.Name} (_err: {expected}) => {(errors.Count == 0 ? "no semantic error" : string.Join("; ", errors))}");
            }
        }
    }

    /// <summary>The resources of a file of the kinds checked here (documents that fail to decode are the schema check's).</summary>
    private static IEnumerable<(int Index, Resource Resource)> Resources(string file)
    {
        IReadOnlyList<YamlDocument> documents;
        try
        {
            documents = YamlReader.Read(File.ReadAllText(file), file);
        }
        catch (YamlLoadException)
        {
            yield break;
        }

        foreach (var document in documents)
        {
            if (document.Root is not MapNode root || !Kinds.Contains(NodeRead.String(root["kind"]) ?? string.Empty))
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
