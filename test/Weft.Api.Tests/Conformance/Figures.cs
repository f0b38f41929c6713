using System.Globalization;
using Weft.Api.Tests.Corpus;

namespace Weft.Api.Tests.Conformance;

/// <summary>
/// Writes a suite's agreement figure where test.sh prints it (artifacts/test-results/conformance-*.txt), since
/// the console logger does not show the output of passing tests.
/// </summary>
internal static class Figures
{
    public static string Write(string suite, int agree, int total, IEnumerable<string> disagreements)
    {
        var percent = total == 0 ? 0 : 100.0 * agree / total;
        var known = KnownDifferences.All.Count;
        var line = string.Create(CultureInfo.InvariantCulture, $"conformance {suite}: {agree}/{total} agree with Istio ({percent:F1}%); known differences listed: {known}");
        var dir = Path.Combine(IstioCorpus.RepositoryRoot, "artifacts", "test-results");
        Directory.CreateDirectory(dir);
        var lines = new List<string> { line };
        lines.AddRange(disagreements.Select(d => "  disagrees: " + d));
        File.WriteAllLines(Path.Combine(dir, $"conformance-{suite.Replace('/', '-')}.txt"), lines);
        return string.Join(Environment.NewLine, lines);
    }
}
