using Weft.Control.Tests.Support;

namespace Weft.Control.Tests.Golden;

/// <summary>
/// Compares generated output with a checked-in golden file under <c>Golden/testdata</c> (in the source tree, not the build
/// output), or rewrites the file when <c>WEFT_REFRESH_GOLDEN=1</c>. Files are compared as text with <c>\n</c> line ends.
/// </summary>
internal static class GoldenFile
{
    public const string RefreshVariable = "WEFT_REFRESH_GOLDEN";

    /// <summary>Refreshes every golden file; the normal console verbosity lists the files written.</summary>
    public const string RefreshCommand = RefreshVariable + "=1 dotnet test test/Weft.Control.Tests -c Release --filter FullyQualifiedName~Golden --logger \"console;verbosity=normal\"";

    public static string Directory => Path.Combine(IstioCorpus.RepositoryRoot, "test", "Weft.Control.Tests", "Golden", "testdata");

    public static bool Refreshing => Environment.GetEnvironmentVariable(RefreshVariable) == "1";

    /// <summary>
    /// Fails with a diff when the file differs from <paramref name="actual"/>. When refreshing, writes the file instead and,
    /// if it changed, reports the test as skipped with the file's name, so the run lists every file written.
    /// </summary>
    public static void Check(string name, string actual) => Check(Directory, name, actual, Refreshing);

    internal static void Check(string directory, string name, string actual, bool refresh)
    {
        var path = Path.Combine(directory, name);
        var shown = Path.GetRelativePath(IstioCorpus.RepositoryRoot, path);
        actual = Normalize(actual);
        var expected = File.Exists(path) ? Normalize(File.ReadAllText(path)) : null;
        if (refresh)
        {
            if (expected == actual)
            {
                return;
            }

            System.IO.Directory.CreateDirectory(directory);
            File.WriteAllText(path, actual);
            Skip.If(true, $"{RefreshVariable}=1: wrote {shown}");
        }

        if (expected is null)
        {
            Assert.Fail($"golden file {shown} does not exist. Create it, then review it before committing:\n  {RefreshCommand}");
        }

        if (expected != actual)
        {
            Assert.Fail($"generated output differs from golden file {shown}\n{GoldenDiff.Describe(expected, actual)}" +
                $"If the change is intended, refresh the golden files and review them with git diff:\n  {RefreshCommand}");
        }
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
}
