using System.Globalization;
using System.Text.RegularExpressions;
using Weft.Cli.Tests.Support;

namespace Weft.Cli.Tests.Up;

/// <summary>
/// <c>weft up</c> as a user runs it, in its own process with the real <c>weft proxy</c> as its child, on a copy of
/// examples/canary. They need the proxy: in a build without the <c>weft proxy</c> command they skip and say so.
/// </summary>
public sealed partial class UpEndToEndTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly CanaryCopy _canary = new();

    public void Dispose() => _canary.Dispose();

    private static void SkipWithoutProxy() =>
        Skip.IfNot(WeftCommand.HasCommand("proxy"), "SKIPPED: weft proxy is not in this build yet, so weft up has no proxy to send traffic through; this test runs once it is");

    private WeftChild Up(params string[] extra) =>
        WeftChild.Start(["up", _canary.Directory, "--xds-address", "127.0.0.1:0", "--http-address", "127.0.0.1:0", "--no-view", .. extra]);

    [SkippableFact]
    public async Task The_canary_splits_about_90_10_and_prints_totals()
    {
        SkipWithoutProxy();
        await using var up = Up("--rate", "100", "--duration", "5");

        await up.ExitedCleanlyAsync(Timeout);

        var totals = Counts.Parse(up.Stdout.Split('\n').Last(l => l.Contains(" requests  ", StringComparison.Ordinal)));
        Assert.True(totals.Requests >= 300, $"expected at least 300 requests in 5 s at 100/s:\n{up.Stdout}");
        Assert.Equal(0, totals.Failed);
        var v2 = totals.Versions["v2"] / (double)(totals.Versions["v1"] + totals.Versions["v2"]);
        Assert.InRange(v2, 0.05, 0.15);
    }

    [SkippableFact]
    public async Task Editing_the_split_to_0_100_moves_all_traffic_to_v2_within_a_second_without_failures()
    {
        SkipWithoutProxy();
        await using var up = Up("--rate", "100", "--duration", "60");
        await up.NextLineAsync(l => Counts.TryParse(l) is { } c && c.Versions.GetValueOrDefault("v1") > 0, Timeout);

        _canary.SetWeights(0, 100);
        var edited = up.Now;

        // A summary line covers the second before it is printed: lines printed from a second after the edit on see only v2.
        var after = new List<Counts>();
        while (after.Count < 3)
        {
            var (line, at) = await up.NextLineAsync(l => Counts.TryParse(l) is not null, TimeSpan.FromSeconds(10));
            var counts = Counts.TryParse(line)!;
            Assert.True(counts.Failed == 0, $"a failure while traffic moved: {line}");
            if (at - edited >= TimeSpan.FromSeconds(2.2))
            {
                after.Add(counts);
            }
        }

        Assert.All(after, c => Assert.Equal(0, c.Versions.GetValueOrDefault("v1")));
        Assert.All(after, c => Assert.True(c.Versions["v2"] > 50, $"v2 should take the traffic (~100/s), got {c.Versions["v2"]}"));

        up.Interrupt();
        await up.ExitedCleanlyAsync(Timeout);
        Assert.Contains("weft up: stopping traffic, client proxy, workload product-catalog-v2, workload product-catalog-v1, control plane", up.Stdout);
        Assert.Equal(0, Counts.Parse(up.Stdout.Split('\n').Last(l => l.Contains(" requests  ", StringComparison.Ordinal))).Failed);
    }

    /// <summary>
    /// With the compiled proxy built (test.sh builds it) and named as <c>./weft</c> names it, <c>weft up</c> runs that binary
    /// as its client proxy, and the canary's traffic goes through it without failures.
    /// </summary>
    [SkippableFact]
    public async Task With_the_compiled_proxy_named_the_canary_runs_through_that_binary()
    {
        SkipWithoutProxy();
        var binary = Path.Combine(CliRun.RepositoryRoot, "artifacts", "weft-proxy", "weft");
        Skip.IfNot(File.Exists(binary), $"SKIPPED: the compiled proxy {binary} is not built (./test.sh or ./weft proxy builds it)");

        await using var up = WeftChild.Start(
            new Dictionary<string, string> { [Weft.Cli.Up.Proxies.WeftExecutable.CompiledProxyVariable] = binary },
            ["up", _canary.Directory, "--xds-address", "127.0.0.1:0", "--http-address", "127.0.0.1:0", "--no-view", "--rate", "50", "--duration", "60"]);
        await up.NextLineAsync(l => Counts.TryParse(l) is { } c && c.Versions.GetValueOrDefault("v1") > 0, Timeout);

        // The kernel's own name for the file, as /proc/PID/exe gives it, whatever links lead there.
        string real;
        using (var open = File.OpenHandle(binary))
        {
            real = new FileInfo($"/proc/self/fd/{open.DangerousGetHandle()}").ResolveLinkTarget(returnFinalTarget: false)!.FullName;
        }

        var children = Directory.GetDirectories("/proc")
            .Select(d => Path.GetFileName(d))
            .Where(p => p.All(char.IsAsciiDigit) && ParentOf(p) == up.Id)
            .Select(p => ExecutableOf(p))
            .ToList();
        Assert.Contains(real, children);

        up.Interrupt();
        await up.ExitedCleanlyAsync(Timeout);
        var totals = Counts.Parse(up.Stdout.Split('\n').Last(l => l.Contains(" requests  ", StringComparison.Ordinal)));
        Assert.True(totals.Requests > 0, up.Stdout);
        Assert.Equal(0, totals.Failed);
    }

    /// <summary>The parent process id in /proc/PID/stat (the field after the command, which is in parentheses); 0 when it is gone.</summary>
    private static int ParentOf(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static string? ExecutableOf(string pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/exe").ResolveLinkTarget(returnFinalTarget: false)?.FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A product-catalog summary or totals line: <c>… 20 req/s  v1=18 (90%)  v2=2 (10%)  failed=0</c>.</summary>
    private sealed partial record Counts(long Requests, Dictionary<string, long> Versions, long Failed)
    {
        public static Counts? TryParse(string line)
        {
            var match = Line().Match(line);
            if (!match.Success)
            {
                return null;
            }

            var versions = Version().Matches(match.Groups["versions"].Value)
                .ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            return new Counts(long.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture), versions, long.Parse(match.Groups["failed"].Value, CultureInfo.InvariantCulture));
        }

        public static Counts Parse(string line) => TryParse(line) ?? throw new Xunit.Sdk.XunitException($"not a counts line: {line}");

        [GeneratedRegex(@"product-catalog\.default\.svc\.cluster\.local:8080  (?<n>\d+) (req/s|requests)  (?<versions>.*)failed=(?<failed>\d+)")]
        private static partial Regex Line();

        [GeneratedRegex(@"(\S+)=(\d+) \(")]
        private static partial Regex Version();
    }
}
