using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Model.Decoding;
using Weft.Api.Tests.Corpus;
using Weft.Api.Validation;
using Xunit.Abstractions;

namespace Weft.Api.Tests.Validation.Traffic;

/// <summary>
/// The corpus' real configuration files: every VirtualService, DestinationRule and Gateway that Istio accepts
/// (schema fixtures, istiod's test config, the samples) must pass Weft's semantic rules; the schema fixtures Istio
/// rejects must fail them too (Istio's own test holds its webhook to the same verdicts).
/// </summary>
public sealed class TrafficCorpusFilesTests(ITestOutputHelper output)
{
    private static readonly HashSet<string> Kinds = new(StringComparer.Ordinal) { "VirtualService", "DestinationRule", "Gateway" };

    [SkippableFact]
    public void Validation_fixtures_are_decided_as_istio_decides_them()
    {
        var corpus = IstioCorpus.Require();
        var root = (MapNode)YamlReader.Read(File.ReadAllText(Path.Combine(corpus, "validation", "expectations.yaml")), "expectations.yaml").Single().Root!;
        var checkedCount = 0;
        var failures = new List<string>();
        foreach (var file in ((ListNode)root["files"]!).Items.Cast<MapNode>())
        {
            var relative = NodeRead.String(file["file"])!;
            var documents = Documents(Path.Combine(corpus, "validation", relative));
            foreach (var expectation in ((ListNode)file["documents"]!).Items.Cast<MapNode>())
            {
                var kind = NodeRead.String(expectation["kind"]);
                if (kind is null || !Kinds.Contains(kind))
                {
                    continue;
                }

                var index = (int)NodeRead.Long(expectation["index"])!.Value;
                var valid = NodeRead.String(expectation["expected"]) == "valid";
                checkedCount++;
                var context = Validate(documents[index]);
                Assert.Equal(kind, context.Resource.Kind);
                if (valid == context.HasErrors)
                {
                    failures.Add($"{relative}#{index} ({kind} {context.Resource.Name}): expected {(valid ? "valid" : "invalid")}; " + string.Join("; ", context.Findings));
                }
            }
        }

        output.WriteLine($"{checkedCount - failures.Count}/{checkedCount} traffic fixture documents decided as Istio decides them");
        Assert.True(checkedCount > 40, $"only {checkedCount} traffic documents found");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [SkippableFact]
    public void Istio_samples_pass()
    {
        var corpus = IstioCorpus.Require();
        var root = (MapNode)YamlReader.Read(File.ReadAllText(Path.Combine(corpus, "samples", "index.yaml")), "index.yaml").Single().Root!;
        var checkedCount = 0;
        var failures = new List<string>();
        foreach (var file in ((ListNode)root["files"]!).Items.Cast<MapNode>())
        {
            var relative = NodeRead.String(file["file"])!;
            List<MapNode>? documents = null;
            foreach (var expectation in ((ListNode)file["documents"]!).Items.Cast<MapNode>())
            {
                var kind = NodeRead.String(expectation["kind"]);
                if (kind is null || !Kinds.Contains(kind) || NodeRead.String(expectation["category"]) != "istio-config")
                {
                    continue;
                }

                documents ??= Documents(Path.Combine(corpus, "samples", relative));
                var index = (int)NodeRead.Long(expectation["index"])!.Value;
                checkedCount++;
                var context = Validate(documents[index]);
                Assert.Equal(kind, context.Resource.Kind);
                if (context.HasErrors)
                {
                    failures.Add($"{relative}#{index} ({kind} {context.Resource.Name}): " + string.Join("; ", context.Findings));
                }
            }
        }

        output.WriteLine($"{checkedCount - failures.Count}/{checkedCount} sample traffic documents pass");
        Assert.True(checkedCount > 40, $"only {checkedCount} sample traffic documents found");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static List<MapNode> Documents(string path) =>
        YamlReader.Read(File.ReadAllText(path), path).Where(d => d.Root is not null).Select(d => (MapNode)d.Root!).ToList();

    private static ValidationContext Validate(MapNode document)
    {
        var diagnostics = new List<Diagnostic>();
        return SemanticValidation.Run(ResourceDecoder.Decode(document, diagnostics) ?? throw new InvalidOperationException(string.Join("; ", diagnostics)));
    }
}
