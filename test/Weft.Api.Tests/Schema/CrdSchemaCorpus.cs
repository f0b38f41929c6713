using Weft.Api.Documents;
using Weft.Api.Schema;
using Weft.Api.Tests.Corpus;

namespace Weft.Api.Tests.Schema;

/// <summary>One document of the corpus's crd-schema suite, with what validation/expectations.yaml says about it.</summary>
internal sealed record CorpusCase(
    string Id,
    string ApiVersion,
    string Kind,
    string Name,
    bool ExpectValid,
    string? ErrorContains,
    IReadOnlyList<string> Notes,
    MapNode Resource);

/// <summary>
/// Reads the crd-schema suite of the Istio corpus at test time: the CRDs, the expectations, and each document
/// with its top-level <c>_err</c> removed.
/// </summary>
internal static class CrdSchemaCorpus
{
    private static readonly Lazy<IReadOnlyDictionary<string, CorpusCase>> Cases = new(LoadCases);
    private static readonly Lazy<IReadOnlyList<CrdDefinition>> Crds = new(() =>
    {
        var path = IstioCorpus.PathOf("crds/istio-crds.yaml");
        return CrdSchemaReader.ReadAll(File.ReadAllText(path), path);
    });

    /// <summary>Case ids for xunit; a single placeholder when the corpus is absent so that the test can skip, saying so.</summary>
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        if (IstioCorpus.Directory is null)
        {
            data.Add("corpus-missing");
            return data;
        }

        foreach (var id in Cases.Value.Keys)
        {
            data.Add(id);
        }

        return data;
    }

    public static IEnumerable<CorpusCase> All => Cases.Value.Values;

    public static CorpusCase Get(string id) => Cases.Value[id];

    public static SchemaNode SchemaFor(CorpusCase c)
    {
        var slash = c.ApiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = c.ApiVersion[..slash];
        var version = c.ApiVersion[(slash + 1)..];
        var crd = Crds.Value.Single(d => d.Group == group && d.Kind == c.Kind);
        return crd.Versions.Single(v => v.Name == version).Schema;
    }

    private static IReadOnlyDictionary<string, CorpusCase> LoadCases()
    {
        var root = IstioCorpus.Require();
        var expectationsPath = Path.Combine(root, "validation", "expectations.yaml");
        var expectations = (MapNode)YamlReader.Read(File.ReadAllText(expectationsPath), expectationsPath).Single().Root!;
        var result = new SortedDictionary<string, CorpusCase>(StringComparer.Ordinal);
        foreach (var file in ((ListNode)expectations["files"]!).Items.Cast<MapNode>())
        {
            if (Text(file, "suite") != "crd-schema")
            {
                continue;
            }

            var relative = Text(file, "file")!;
            var path = Path.Combine(root, "validation", relative);

            // The suite numbers documents after dropping empty ones (a file may end in '---' or hold commented-out documents).
            var documents = YamlReader.Read(File.ReadAllText(path), path).Where(d => d.Root is not null).Select(d => (MapNode)d.Root!).ToList();
            foreach (var doc in ((ListNode)file["documents"]!).Items.Cast<MapNode>())
            {
                var index = int.Parse(Text(doc, "index")!, System.Globalization.CultureInfo.InvariantCulture);
                var resource = documents[index];
                var name = Text(doc, "name")!;
                var actualName = Text((MapNode)resource["metadata"]!, "name");
                if (actualName != name)
                {
                    throw new InvalidOperationException($"{relative}#{index}: expectations name {name} but the document is {actualName}");
                }

                var id = $"{relative}#{index}";
                result[id] = new CorpusCase(
                    id,
                    Text(doc, "apiVersion")!,
                    Text(doc, "kind")!,
                    name,
                    Text(doc, "expected") == "valid",
                    Text(doc, "errorContains"),
                    doc["notes"] is ListNode notes ? notes.Items.Select(n => ((ScalarNode)n).Text).ToList() : [],
                    WithoutExpectation(resource));
            }
        }

        return result;
    }

    private static MapNode WithoutExpectation(MapNode resource) =>
        new(resource.Location, resource.Entries.Where(e => e.Key != "_err").ToArray());

    private static string? Text(MapNode map, string key) => map[key] is ScalarNode { IsNull: false } s ? s.Text : null;
}
