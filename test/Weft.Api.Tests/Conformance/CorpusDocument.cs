using Weft.Api.Documents;
using Weft.Api.Model.Decoding;
using Weft.Api.Tests.Corpus;

namespace Weft.Api.Tests.Conformance;

/// <summary>A document of a corpus file named by an index (validation/expectations.yaml or samples/index.yaml).</summary>
internal sealed record CorpusDocument(string Id, string File, int Index, string Kind, bool ExpectValid, string? ErrorContains, bool StrictInvalid)
{
    /// <summary>The document's root with the fixture-only <c>_err</c> key removed.</summary>
    public MapNode Load(string baseDir)
    {
        var path = Path.Combine(baseDir, File);
        var docs = YamlReader.Read(System.IO.File.ReadAllText(path), File).Where(d => d.Root is not null).ToList();
        var root = (MapNode)docs[Index].Root!;
        return root.ContainsKey("_err") ? new MapNode(root.Location, root.Entries.Where(e => e.Key != "_err").ToArray()) : root;
    }

    private static readonly Lazy<IReadOnlyList<CorpusDocument>> ExpectationsCache = new(ReadExpectations);
    private static readonly Lazy<IReadOnlyList<CorpusDocument>> SamplesCache = new(ReadSamples);

    public static IReadOnlyList<CorpusDocument> FromExpectations() => ExpectationsCache.Value;

    public static IReadOnlyList<CorpusDocument> IstioSamples() => SamplesCache.Value;

    private static IReadOnlyList<CorpusDocument> ReadExpectations()
    {
        if (IstioCorpus.Directory is null)
        {
            return [];
        }

        var path = Path.Combine(IstioCorpus.Directory, "validation", "expectations.yaml");
        var root = (MapNode)YamlReader.Read(System.IO.File.ReadAllText(path), path).Single().Root!;
        var result = new List<CorpusDocument>();
        foreach (var file in ((ListNode)root["files"]!).Items.Cast<MapNode>())
        {
            var name = NodeRead.String(file["file"])!;
            foreach (var doc in ((ListNode)file["documents"]!).Items.Cast<MapNode>())
            {
                var index = (int)NodeRead.Long(doc["index"])!.Value;
                result.Add(new CorpusDocument(
                    $"{name}#{index}",
                    name,
                    index,
                    NodeRead.String(doc["kind"])!,
                    NodeRead.String(doc["expected"]) == "valid",
                    NodeRead.String(doc["errorContains"]),
                    NodeRead.String(doc["strictDecoding"]) == "invalid"));
            }
        }

        return result;
    }

    private static IReadOnlyList<CorpusDocument> ReadSamples()
    {
        if (IstioCorpus.Directory is null)
        {
            return [];
        }

        var path = Path.Combine(IstioCorpus.Directory, "samples", "index.yaml");
        var root = (MapNode)YamlReader.Read(System.IO.File.ReadAllText(path), path).Single().Root!;
        var result = new List<CorpusDocument>();
        foreach (var file in ((ListNode)root["files"]!).Items.Cast<MapNode>())
        {
            var name = NodeRead.String(file["file"])!;
            foreach (var doc in ((ListNode)file["documents"]!).Items.Cast<MapNode>())
            {
                if (NodeRead.String(doc["category"]) == "istio-config")
                {
                    var index = (int)NodeRead.Long(doc["index"])!.Value;
                    result.Add(new CorpusDocument($"{name}#{index}", name, index, NodeRead.String(doc["kind"])!, true, null, false));
                }
            }
        }

        return result;
    }
}
