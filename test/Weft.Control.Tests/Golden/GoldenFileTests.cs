using Weft.Control.Tests.Support;
using Xunit.Sdk;

namespace Weft.Control.Tests.Golden;

/// <summary>What a developer sees when a golden file no longer matches, and what the refresh switch does.</summary>
public sealed class GoldenFileTests : IDisposable
{
    private readonly TempConfigDirectory _directory = new();

    [Fact]
    public void A_mismatch_shows_the_differing_lines_with_their_numbers_and_how_to_refresh()
    {
        File.WriteAllText(Path.Combine(_directory.Path, "x.golden.json"), "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}\n");
        var failure = Assert.ThrowsAny<XunitException>(() =>
            GoldenFile.Check(_directory.Path, "x.golden.json", "{\n  \"a\": 1,\n  \"b\": 20,\n  \"c\": 3\n}\n", refresh: false));
        Assert.Contains("first difference at line 3", failure.Message, StringComparison.Ordinal);
        Assert.Contains("-     3:   \"b\": 2,", failure.Message, StringComparison.Ordinal);
        Assert.Contains("+     3:   \"b\": 20,", failure.Message, StringComparison.Ordinal);
        Assert.Contains("      2:   \"a\": 1,", failure.Message, StringComparison.Ordinal);
        Assert.Contains("WEFT_REFRESH_GOLDEN=1 dotnet test", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_golden_file_says_how_to_create_it()
    {
        var failure = Assert.ThrowsAny<XunitException>(() => GoldenFile.Check(_directory.Path, "new.golden.json", "{}\n", refresh: false));
        Assert.Contains("does not exist", failure.Message, StringComparison.Ordinal);
        Assert.Contains("WEFT_REFRESH_GOLDEN=1", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refreshing_writes_a_changed_file_and_names_it()
    {
        var skipped = Assert.Throws<Xunit.SkipException>(() => GoldenFile.Check(_directory.Path, "y.golden.json", "{}\n", refresh: true));
        Assert.Contains("wrote", skipped.Message, StringComparison.Ordinal);
        Assert.Contains("y.golden.json", skipped.Message, StringComparison.Ordinal);
        Assert.Equal("{}\n", File.ReadAllText(Path.Combine(_directory.Path, "y.golden.json")));

        GoldenFile.Check(_directory.Path, "y.golden.json", "{}\n", refresh: true); // unchanged: nothing to report
        GoldenFile.Check(_directory.Path, "y.golden.json", "{}\r\n", refresh: false); // line ends do not count
    }

    [Fact]
    public void Only_the_first_differing_lines_are_listed()
    {
        var expected = string.Join('\n', Enumerable.Range(0, 200).Select(i => $"line {i}"));
        var actual = string.Join('\n', Enumerable.Range(0, 200).Select(i => $"changed {i}"));
        var diff = GoldenDiff.Describe(expected, actual);
        Assert.Contains("-     1: line 0", diff, StringComparison.Ordinal);
        Assert.Contains("more differing line(s)", diff, StringComparison.Ordinal);
        Assert.True(diff.Split('\n').Length < 60, diff);
    }

    public void Dispose() => _directory.Dispose();
}
