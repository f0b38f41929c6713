using Weft.Api.Documents;
using Weft.Api.Model.Decoding;

namespace Weft.Api.Tests.Corpus;

/// <summary>One case of the corpus' validation/cases.yaml: a resource, whether Istio accepts it, and what it says.</summary>
public sealed record ValidationCase(string Id, string Kind, bool ExpectValid, bool? ExpectWarning, string? ErrorContains, string Reason, string Yaml)
{
    public override string ToString() => Id;

    /// <summary>All cases (the CRD cases, then istioctl's), or none when the corpus is absent.</summary>
    public static IReadOnlyList<ValidationCase> Load() => Cached.Value;

    private static readonly Lazy<IReadOnlyList<ValidationCase>> Cached = new(Read);

    private static IReadOnlyList<ValidationCase> Read()
    {
        if (IstioCorpus.Directory is null)
        {
            return [];
        }

        var path = Path.Combine(IstioCorpus.Directory, "validation", "cases.yaml");
        var root = (MapNode)YamlReader.Read(File.ReadAllText(path), path).Single().Root!;
        var result = new List<ValidationCase>();
        foreach (var section in new[] { "cases", "istioctlValidateCases" })
        {
            foreach (var item in ((ListNode)root[section]!).Items.Cast<MapNode>())
            {
                result.Add(new ValidationCase(
                    NodeRead.String(item["id"])!,
                    NodeRead.String(item["kind"])!,
                    NodeRead.String(item["expected"]) == "valid",
                    NodeRead.Bool(item["warning"]),
                    NodeRead.String(item["errorContains"]),
                    NodeRead.String(item["reason"]) ?? string.Empty,
                    NodeRead.String(item["yaml"])!));
            }
        }

        return result;
    }

    /// <summary>Case ids for xunit theories; a single placeholder when the corpus is absent, so the theory can skip saying why.</summary>
    public static TheoryData<string> Ids(Func<ValidationCase, bool> filter)
    {
        var data = new TheoryData<string>();
        var cases = Load().Where(filter).ToList();
        if (cases.Count == 0)
        {
            data.Add("(no corpus)");
        }

        foreach (var c in cases)
        {
            data.Add(c.Id);
        }

        return data;
    }

    public static ValidationCase Get(string id)
    {
        IstioCorpus.Require();
        return Load().Single(c => c.Id == id);
    }
}
