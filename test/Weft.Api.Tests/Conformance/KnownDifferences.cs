using Weft.Api.Documents;
using Weft.Api.Model.Decoding;
using Weft.Api.Tests.Corpus;

namespace Weft.Api.Tests.Conformance;

/// <summary>
/// The one list of corpus cases Weft knowingly decides differently from Istio, each with its reason
/// (test/Weft.Api.Tests/Validation/known-differences.yaml). Conformance suites expect the opposite outcome for these.
/// </summary>
internal static class KnownDifferences
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Entries = new(Load);

    public static IReadOnlyDictionary<string, string> All => Entries.Value;

    public static bool Contains(string id) => All.ContainsKey(id);

    private static IReadOnlyDictionary<string, string> Load()
    {
        var path = Path.Combine(IstioCorpus.RepositoryRoot, "test", "Weft.Api.Tests", "Validation", "known-differences.yaml");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return result;
        }

        foreach (var doc in YamlReader.Read(File.ReadAllText(path), path))
        {
            if (doc.Root is MapNode { } root && root["differences"] is ListNode list)
            {
                foreach (var item in list.Items.OfType<MapNode>())
                {
                    result[NodeRead.String(item["id"])!] = NodeRead.String(item["reason"]) ?? string.Empty;
                }
            }
        }

        return result;
    }
}
