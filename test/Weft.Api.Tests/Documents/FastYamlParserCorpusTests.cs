using System.Globalization;
using System.Text;
using Weft.Api.Documents;
using Weft.Api.Documents.Fast;
using Weft.Api.Tests.Corpus;
using Xunit.Abstractions;

namespace Weft.Api.Tests.Documents;

/// <summary>
/// The fast parser over real and randomly damaged YAML: every Istio corpus file must read exactly as through
/// YamlDotNet (and nearly all of them on the fast path), and no mutation of a document may ever make the fast parser
/// accept what the reference rejects or build a different tree.
/// </summary>
public sealed class FastYamlParserCorpusTests(ITestOutputHelper output)
{
    /// <summary>The share of corpus files that must take the fast path.</summary>
    private const double RequiredFastShare = 0.95;

    [SkippableFact]
    public void Corpus_files_read_exactly_as_through_YamlDotNet()
    {
        var root = IstioCorpus.Require();
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(files);

        var fast = 0;
        var fallbacks = new List<string>();
        var differences = new List<string>();
        foreach (var path in files)
        {
            var name = Path.GetRelativePath(root, path);
            var text = System.IO.File.ReadAllText(path);
            switch (Check(text, name, LoadLimits.Default))
            {
                case (true, null):
                    fast++;
                    break;
                case (false, null):
                    FastYamlParser.TryParse(text, name, LoadLimits.Default, out var reason);
                    fallbacks.Add($"{name}: {reason}");
                    break;
                case (_, { } difference):
                    differences.Add($"{name}: {difference}");
                    break;
            }
        }

        var share = (double)fast / files.Count;
        var figure = string.Create(CultureInfo.InvariantCulture,
            $"fast YAML path: {fast}/{files.Count} corpus files ({100 * share:F1}%), {fallbacks.Count} read by YamlDotNet, {differences.Count} differences");
        WriteFigure(figure, fallbacks.Select(f => "  fell back: " + f).Concat(differences.Select(d => "  DIFFERS: " + d)));
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences.Take(20)));
        Assert.True(share >= RequiredFastShare, figure);
    }

    [SkippableFact]
    public void Mutated_corpus_documents_never_read_differently()
    {
        var root = IstioCorpus.Require();
        var documents = Directory.EnumerateFiles(root, "*.yaml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .SelectMany(f => System.IO.File.ReadAllText(f).Split("\n---"))
            .Where(d => d.Length is > 10 and < 4000)
            .ToList();
        var random = new Random(20240611);
        var fast = Run(3000, () => Mutate(documents[random.Next(documents.Count)], random));
        output.WriteLine($"{fast} of 3000 mutated corpus documents took the fast path");
    }

    [Fact]
    public void Generated_documents_never_read_differently()
    {
        var random = new Random(7);
        var generator = new Generator(random);
        var fast = Run(4000, () => random.Next(3) == 0 ? generator.Stream() : Mutate(generator.Stream(), random));
        output.WriteLine($"{fast} of 4000 generated documents took the fast path");
        Assert.True(fast > 1000, "the generator should mostly produce YAML the fast parser takes");
    }

    /// <summary>Checks inputs from <paramref name="next"/>; returns how many took the fast path.</summary>
    private static int Run(int count, Func<string> next)
    {
        var fast = 0;
        for (var i = 0; i < count; i++)
        {
            var text = next();
            var (tookFastPath, difference) = Check(text, "t.yaml", LoadLimits.Default);
            Assert.True(difference is null, $"{difference}{Environment.NewLine}input: {TreeComparison.Quote(text)}");
            fast += tookFastPath ? 1 : 0;
        }

        return fast;
    }

    /// <summary>Whether the fast path took the input, and how its reading differs from the reference, if it does.</summary>
    private static (bool Fast, string? Difference) Check(string text, string file, LoadLimits limits)
    {
        var actual = FastYamlParser.TryParse(text, file, limits, out var reason);
        if (reason?.StartsWith("internal error", StringComparison.Ordinal) == true)
        {
            return (false, reason);
        }

        IReadOnlyList<YamlDocument> expected;
        try
        {
            expected = YamlReader.ReadWithYamlDotNet(text, file, limits);
        }
        catch (YamlLoadException e)
        {
            return (false, actual is null ? null : "the fast parser accepted input YamlDotNet rejects: " + e.Message);
        }

        return actual is null ? (false, null) : (true, TreeComparison.FirstDifference(expected, actual));
    }

    private void WriteFigure(string figure, IEnumerable<string> details)
    {
        // Next to the conformance figures, since the console logger does not show the output of passing tests.
        var dir = Path.Combine(IstioCorpus.RepositoryRoot, "artifacts", "test-results");
        Directory.CreateDirectory(dir);
        var lines = new List<string> { figure };
        lines.AddRange(details);
        System.IO.File.WriteAllLines(Path.Combine(dir, "fast-yaml-corpus.txt"), lines);
        output.WriteLine(string.Join(Environment.NewLine, lines));
    }

    private static readonly string[] Fragments =
    [
        "a", "b c", "-", "- ", ":", ": ", "k:", "'q'", "\"d\"", "[", "]", "{", "}", ", ", "# c", " #c", "&a ", "*a", "!!str ",
        "|", ">", "|-", "---", "...", "1", ":x", "*", "? ", "~", " ", "<<: ", "\"", "'", "\\", "%", "\t", "\r\n", "\"\\n\"", "'x''y'",
    ];

    /// <summary>Up to two random edits: a character removed, a space, break or fragment inserted, a line re-indented or doubled.</summary>
    private static string Mutate(string text, Random random)
    {
        var sb = new StringBuilder(text);
        var edits = random.Next(0, 3);
        for (var i = 0; i < edits && sb.Length > 0; i++)
        {
            var at = random.Next(sb.Length);
            switch (random.Next(6))
            {
                case 0:
                    sb.Remove(at, 1);
                    break;
                case 1:
                    sb.Insert(at, ' ');
                    break;
                case 2:
                    sb.Insert(at, '\n');
                    break;
                case 3:
                    sb.Insert(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                default:
                {
                    var lines = sb.ToString().Split('\n').ToList();
                    var line = random.Next(lines.Count);
                    if (random.Next(2) == 0)
                    {
                        lines.Insert(line, lines[line]);
                    }
                    else
                    {
                        lines[line] = lines[line].StartsWith(' ') && random.Next(2) == 0 ? lines[line][1..] : " " + lines[line];
                    }

                    sb.Clear().Append(string.Join('\n', lines));
                    break;
                }
            }
        }

        return sb.ToString();
    }

    /// <summary>Random but mostly valid YAML streams mixing every construct the fast parser handles.</summary>
    private sealed class Generator(Random random)
    {
        private static readonly string[] Scalars =
        [
            "1", "-2", "0x1F", "1.5", "true", "yes", "on", "~", "null", "", ".inf", "001:db8::", "word", "two words", ":authority",
            "http://h:80/p", "a#b", "*.example.com", "v # comment", "'it''s'", "'x\n  y'", "'p\n\n  q'", "\"a\\tb\"", "\"\\u00e9\"",
            "\"x\n  y\"", "\"a\\\n  b\"", "\"t  \"", "''", "\"\"",
        ];

        public string Stream()
        {
            var sb = new StringBuilder();
            var documents = random.Next(1, 3);
            for (var d = 0; d < documents; d++)
            {
                if (d > 0 || random.Next(3) == 0)
                {
                    sb.Append("---\n");
                }

                var entries = random.Next(1, 4);
                var sequence = random.Next(2) == 0;
                for (var i = 0; i < entries; i++)
                {
                    sb.Append(sequence ? "-" : $"k{i}:");
                    Node(sb, 0, 1, afterKey: !sequence);
                }
            }

            return sb.ToString();
        }

        private void Node(StringBuilder sb, int indent, int depth, bool afterKey)
        {
            var props = random.Next(12) == 0 ? $"&a{random.Next(3)} " : random.Next(15) == 0 ? "!!str " : "";
            switch (depth > 4 ? 0 : random.Next(9))
            {
                case 3:
                {
                    sb.Append(props.Length > 0 ? " " + props.TrimEnd() : "").Append('\n');
                    var at = indent + random.Next(1, 4);
                    for (var i = random.Next(1, 4); i > 0; i--)
                    {
                        sb.Append(' ', at).Append(random.Next(8) == 0 ? $"\"k{i}\"" : $"k{i}").Append(':');
                        Node(sb, at, depth + 1, afterKey: true);
                    }

                    break;
                }

                case 4:
                {
                    sb.Append(props.Length > 0 ? " " + props.TrimEnd() : "").Append('\n');
                    var at = afterKey && random.Next(2) == 0 ? indent : indent + random.Next(1, 4);
                    for (var i = random.Next(1, 4); i > 0; i--)
                    {
                        sb.Append(' ', at).Append('-');
                        Node(sb, at, depth + 1, afterKey: false);
                    }

                    break;
                }

                case 5:
                    sb.Append(' ').Append(props).Append(Flow(depth, indent)).Append('\n');
                    break;
                case 6:
                {
                    var header = new[] { "|", ">", "|-", ">+", "|2", ">-" }[random.Next(6)];
                    sb.Append(' ').Append(props).Append(header).Append('\n');
                    var at = indent + (header.Contains('2', StringComparison.Ordinal) ? 2 : random.Next(1, 4));
                    for (var i = random.Next(0, 4); i > 0; i--)
                    {
                        if (random.Next(4) == 0)
                        {
                            sb.Append('\n');
                        }

                        sb.Append(' ', at + (random.Next(4) == 0 ? 1 : 0)).Append("line ").Append(i).Append('\n');
                    }

                    break;
                }

                case 7:
                    sb.Append(" *a").Append(random.Next(3)).Append('\n');
                    break;
                case 8:
                    sb.Append(" # comment\n").Append(' ', indent + 2).Append(Scalars[random.Next(Scalars.Length)]).Append('\n');
                    break;
                default:
                    sb.Append(' ').Append(props).Append(Scalars[random.Next(Scalars.Length)]).Append('\n');
                    break;
            }
        }

        private string Flow(int depth, int indent)
        {
            var sb = new StringBuilder();
            var map = random.Next(2) == 0;
            sb.Append(map ? '{' : '[');
            var count = random.Next(0, 4);
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    sb.Append(random.Next(4) == 0 ? ",\n" + new string(' ', indent + random.Next(0, 4)) : ", ");
                }

                if (map)
                {
                    sb.Append(random.Next(3) == 0 ? $"\"k{i}\":" : $"k{i}: ");
                }

                var scalar = Scalars[random.Next(Scalars.Length)];
                sb.Append(depth < 3 && random.Next(4) == 0 ? Flow(depth + 1, indent) : scalar.Contains('#', StringComparison.Ordinal) || scalar.Length == 0 ? "x" : scalar);
            }

            if (random.Next(6) == 0)
            {
                sb.Append(',');
            }

            return sb.Append(map ? '}' : ']').ToString();
        }
    }
}
