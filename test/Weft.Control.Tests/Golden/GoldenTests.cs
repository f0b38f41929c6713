using Weft.Api.Loading;
using Weft.Control.Tests.Support;

namespace Weft.Control.Tests.Golden;

/// <summary>
/// The xDS each golden case generates, compared with <c>Golden/testdata/CASE.PROXY.golden.json</c>. After an intended
/// change to a generator, refresh with <c>WEFT_REFRESH_GOLDEN=1</c> and review the diff of the files.
/// </summary>
public sealed class GoldenTests
{
    public static TheoryData<string> Files => new(GoldenCases.Files.Keys.Order(StringComparer.Ordinal));

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void Generated_xds_matches_the_golden_file(string file)
    {
        var (goldenCase, proxy) = GoldenCases.Files[file];
        var mesh = TestMesh.FromFiles(Inputs(goldenCase));
        var node = proxy.Node(mesh);
        var resources = mesh.Resources(node, proxy.Listeners);
        GoldenFile.Check(file, GoldenDump.Render(node, resources, mesh.Rejections));
    }

    [SkippableFact]
    public void The_case_table_names_every_corpus_input()
    {
        var root = IstioCorpus.Require();
        Assert.Equal(Stems(Path.Combine(root, GoldenCases.PilotDirectory)), GoldenCases.PilotFiles.Order(StringComparer.Ordinal));
        Assert.Equal(Stems(Path.Combine(root, GoldenCases.BookinfoDirectory, "networking")), GoldenCases.BookinfoNetworkingFiles.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_golden_file_belongs_to_a_case()
    {
        var orphans = Directory.EnumerateFiles(GoldenFile.Directory, "*.golden.json")
            .Select(Path.GetFileName)
            .Where(name => !GoldenCases.Files.ContainsKey(name!))
            .ToArray();
        Assert.True(orphans.Length == 0, $"golden files no case produces (delete them): {string.Join(", ", orphans)}");
    }

    internal static IEnumerable<ConfigFile> Inputs(GoldenCase goldenCase)
    {
        var root = goldenCase.Source == GoldenSource.Corpus ? IstioCorpus.Require() : IstioCorpus.RepositoryRoot;
        foreach (var input in goldenCase.Inputs)
        {
            foreach (var file in ConfigFiles.Read([Path.Combine(root, input)]))
            {
                // Named relative to their root, so rejections in the golden file read the same on every machine.
                yield return file with { Name = Path.GetRelativePath(root, file.Name).Replace('\\', '/') };
            }
        }
    }

    private static string[] Stems(string directory) =>
        Directory.EnumerateFiles(directory, "*.yaml").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToArray();
}
