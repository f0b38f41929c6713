using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Weft.Bench.ProxyLoad;

/// <summary>Runs wrk (throughput) and h2load (a fixed rate, per-request log) against a candidate and reads their results.</summary>
internal static partial class LoadTools
{
    /// <summary>wrk, one thread, keep-alive connections, for the duration: requests per second.</summary>
    public static async Task<double> ThroughputAsync(Candidate candidate, ProxyLoadOptions options, CancellationToken cancel)
    {
        var output = await RunAsync("wrk", ["-t1", $"-c{options.Connections}", $"-d{options.WarmupSeconds}s", "-H", "Host: " + candidate.Host, $"http://{candidate.Address}/"], cancel).ConfigureAwait(false);
        _ = output; // warm-up: connections, JIT, pools
        output = await RunAsync("wrk", ["-t1", $"-c{options.Connections}", $"-d{options.DurationSeconds}s", "-H", "Host: " + candidate.Host, $"http://{candidate.Address}/"], cancel).ConfigureAwait(false);
        var match = WrkRate().Match(output);
        if (!match.Success)
        {
            throw new InvalidOperationException($"wrk printed no Requests/sec through {candidate.Name}:\n{output}");
        }

        var errors = WrkErrors().Match(output);
        if (errors.Success || output.Contains("Non-2xx", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"wrk saw errors through {candidate.Name}:\n{output}");
        }

        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// h2load over HTTP/1.1 at a fixed total rate for the duration, after a warm-up, with the candidate's CPU time and
    /// memory sampled meanwhile. Latencies come from h2load's per-request log.
    /// </summary>
    public static async Task<FixedRate> FixedRateAsync(Candidate candidate, ProxyLoadOptions options, string work, CancellationToken cancel)
    {
        var log = Path.Combine(work, $"h2load-{candidate.Name}.log");
        string[] args = ["--h1", "-c", options.RateClients.ToString(CultureInfo.InvariantCulture), "--rps", (options.Rate / options.RateClients).ToString(CultureInfo.InvariantCulture),
            "-H", ":authority: " + candidate.Host, $"http://{candidate.Address}/"];
        await RunAsync("h2load", [.. args, "-D", options.WarmupSeconds.ToString(CultureInfo.InvariantCulture)], cancel).ConfigureAwait(false);

        // h2load appends to its log: one left by an earlier round would count again.
        File.Delete(log);
        var pids = candidate.MeasuredPids;
        var cpuBefore = ProcessStats.CpuSeconds(pids);
        var switchesBefore = ProcessStats.ContextSwitches(pids);
        var peakRss = 0.0;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            while (await timer.WaitForNextTickAsync(sampling.Token).ConfigureAwait(false))
            {
                peakRss = Math.Max(peakRss, ProcessStats.RssMb(candidate.MeasuredPids));
            }
        }, CancellationToken.None);
        var output = await RunAsync("h2load", [.. args, "-D", options.DurationSeconds.ToString(CultureInfo.InvariantCulture), "--log-file", log], cancel).ConfigureAwait(false);
        await sampling.CancelAsync().ConfigureAwait(false);
        try
        {
            await sampler.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        var cpu = ProcessStats.CpuSeconds(pids) - cpuBefore;
        var switches = ProcessStats.ContextSwitches(pids) - switchesBefore;
        var entries = File.ReadLines(log).Select(l => l.Split('\t')).Where(f => f.Length >= 3).ToArray();
        var failed = entries.Count(f => f[1] != "200");
        if (entries.Length == 0 || failed > 0)
        {
            throw new InvalidOperationException($"h2load through {candidate.Name}: {entries.Length} requests logged, {failed} not 200:\n{output}");
        }

        var latencies = entries.Select(f => long.Parse(f[2], CultureInfo.InvariantCulture) / 1000.0).Order().ToArray();
        return new FixedRate(entries.Length, entries.Length / (double)options.DurationSeconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.90), Percentile(latencies, 0.99), cpu, peakRss, switches);
    }

    private static double Percentile(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    /// <summary>Runs a command to its end (five minutes at most): its output, or an exception with it when it fails.</summary>
    internal static async Task<string> RunAsync(string file, IReadOnlyList<string> args, CancellationToken cancel)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancel);
        var stderr = process.StandardError.ReadToEndAsync(cancel);
        await process.WaitForExitAsync(cancel).WaitAsync(TimeSpan.FromMinutes(5), cancel).ConfigureAwait(false);
        var text = await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
        return process.ExitCode == 0 ? text : throw new InvalidOperationException($"{file} exited with {process.ExitCode}:\n{text}");
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex WrkRate();

    [GeneratedRegex(@"Socket errors:")]
    private static partial Regex WrkErrors();
}

/// <summary>What a fixed-rate run measured: requests, their latency in ms, the candidate's CPU seconds and peak RSS in MB.</summary>
internal sealed record FixedRate(int Requests, double AchievedRate, double P50Ms, double P90Ms, double P99Ms, double CpuSeconds, double PeakRssMb, long ContextSwitches)
{
    /// <summary>CPU seconds per 1,000 requests; at 1,000 requests per second this is also the cores used.</summary>
    public double CpuPerThousand => CpuSeconds / (Requests / 1000.0);

    /// <summary>The candidate's context switches per request at the fixed rate.</summary>
    public double SwitchesPerRequest => ContextSwitches / (double)Requests;
}
