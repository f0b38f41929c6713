using Weft.Api.Documents;

namespace Weft.Control.Tests.Support;

/// <summary>
/// One case of the corpus' authz-rbac suite (xds-golden/manifest.yaml): the AuthorizationPolicy input, the Envoy filters
/// Istio generates from it for a workload in namespace <c>foo</c> labelled <c>app=httpbin, version=v1</c>, and the
/// setup (custom or standard builder, extension providers, trust domains). Read from the corpus, never copied.
/// </summary>
internal sealed record AuthzGoldenCase(
    string Id,
    bool Tcp,
    string InputPath,
    IReadOnlyList<string> ExpectedPaths,
    bool Custom,
    MapNode? MeshConfig,
    string? TrustDomain,
    IReadOnlyList<string> TrustDomainAliases)
{
    public const string ProxyNamespace = "foo";

    public static IReadOnlyDictionary<string, string> ProxyLabels { get; } = new Dictionary<string, string> { ["app"] = "httpbin", ["version"] = "v1" };

    public override string ToString() => Id;

    public static IReadOnlyList<AuthzGoldenCase> Load() => Cached.Value;

    private static readonly Lazy<IReadOnlyList<AuthzGoldenCase>> Cached = new(Read);

    /// <summary>Case ids for theories; one placeholder when the corpus is absent, so the theory can skip saying why.</summary>
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var c in Load())
        {
            data.Add(c.Id);
        }

        if (data.Count == 0)
        {
            data.Add("(no corpus)");
        }

        return data;
    }

    public static AuthzGoldenCase Get(string id)
    {
        IstioCorpus.Require();
        return Load().Single(c => c.Id == id);
    }

    private static IReadOnlyList<AuthzGoldenCase> Read()
    {
        if (IstioCorpus.Directory is not { } corpus)
        {
            return [];
        }

        var golden = Path.Combine(corpus, "xds-golden");
        var manifest = Path.Combine(golden, "manifest.yaml");
        var root = (MapNode)YamlReader.Read(File.ReadAllText(manifest), manifest).Single(d => d.Root is not null).Root!;
        var suite = (MapNode)((MapNode)root["suites"]!)["authz-rbac"]!;
        var meshConfigs = suite["meshConfigs"] as MapNode;
        var result = new List<AuthzGoldenCase>();
        foreach (var (section, tcp) in new[] { ("httpCases", false), ("tcpCases", true) })
        {
            foreach (var item in ((ListNode)suite[section]!).Items.Cast<MapNode>())
            {
                var name = Text(item["name"])!;
                var bundle = item["trustDomainBundle"] as MapNode;
                var meshRef = Text(item["meshConfigRef"]);
                result.Add(new AuthzGoldenCase(
                    (tcp ? "tcp/" : "http/") + name,
                    tcp,
                    Path.Combine(golden, Text(item["input"])!),
                    ((ListNode)item["expectedFilters"]!).Items.Select(n => Path.Combine(golden, Text(n)!)).ToArray(),
                    Text(item["builder"])!.StartsWith("custom", StringComparison.Ordinal),
                    meshRef is null ? null : (MapNode)meshConfigs![meshRef]!,
                    Text(bundle?["trustDomain"]),
                    (bundle?["aliases"] as ListNode)?.Items.Select(n => Text(n)!).ToArray() ?? []));
            }
        }

        return result;
    }

    private static string? Text(Node? node) => node is ScalarNode { IsNull: false } s ? s.Text : null;
}
