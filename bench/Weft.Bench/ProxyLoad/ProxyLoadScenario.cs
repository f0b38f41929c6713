using System.Globalization;

namespace Weft.Bench.ProxyLoad;

/// <summary>
/// The data-plane benchmark: the same backend reached directly, through nginx (1 worker), through haproxy (1 thread) and
/// through weft proxy, each measured in the same run: wrk's requests per second over keep-alive connections, then
/// h2load at a fixed rate for latency percentiles, CPU seconds per 1,000 requests and memory under load. With several
/// rounds, every candidate is measured once per round, every other round in reverse order.
/// </summary>
internal static class ProxyLoadScenario
{
    public static async Task<IReadOnlyList<ProxyLoadResult>> RunAsync(ProxyLoadOptions options, TextWriter progress, CancellationToken cancel)
    {
        var work = Directory.CreateTempSubdirectory("weft-proxy-bench-").FullName;
        var servers = new Servers(work, options);
        var results = new List<ProxyLoadResult>();
        await using var backend = await servers.BackendAsync(cancel).ConfigureAwait(false);
        progress.WriteLine($"backend: nginx on {backend.Address}, {options.BodyBytes} bytes per response; work directory {work}");
        // Even rounds go in reverse order, so no candidate always runs right after the same one (or first).
        var order = ProxyLoadOptions.Candidates.Where(options.Only.Contains).ToList();
        foreach (var (round, name) in Enumerable.Range(1, options.Rounds).SelectMany(r => (r % 2 == 1 ? order : Enumerable.Reverse(order)).Select(n => (r, n))))
        {
            var candidate = name switch
            {
                "direct" => backend,
                "nginx" => await servers.NginxAsync(backend, cancel).ConfigureAwait(false),
                "haproxy" => await servers.HaproxyAsync(backend, cancel).ConfigureAwait(false),
                "yarp" => await servers.FloorAsync(name, backend, cancel).ConfigureAwait(false),
                "yarp-pair" or "yarp-pair-mtls" => await servers.FloorPairAsync(name, backend, mtls: name.EndsWith("-mtls", StringComparison.Ordinal), cancel).ConfigureAwait(false),
                "weft" => await servers.WeftAsync(name, backend, progress, cancel).ConfigureAwait(false),
                "weft-concurrency-2" => await servers.WeftAsync(name, backend, progress, cancel, concurrency: 2).ConfigureAwait(false),
                _ => await servers.WeftPairAsync(name, backend, mtls: name.Contains("mtls", StringComparison.Ordinal), newConnections: name.EndsWith("-newconn", StringComparison.Ordinal), progress, cancel).ConfigureAwait(false),
            };
            if (candidate is null)
            {
                continue;
            }

            try
            {
                var idle = ProcessStats.RssMb(candidate.MeasuredPids);
                var throughput = await LoadTools.ThroughputAsync(candidate, options, cancel).ConfigureAwait(false);
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {throughput:N0} requests/s"));
                var fixedRate = await LoadTools.FixedRateAsync(candidate, options, work, cancel).ConfigureAwait(false);
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: at {fixedRate.AchievedRate:N0}/s p50 {fixedRate.P50Ms:F3} p90 {fixedRate.P90Ms:F3} p99 {fixedRate.P99Ms:F3} ms, CPU {fixedRate.CpuPerThousand:F3} s per 1,000, {fixedRate.SwitchesPerRequest:F2} context switches per request"));
                results.Add(new ProxyLoadResult(name, throughput, fixedRate, idle) { Round = round });
            }
            finally
            {
                if (!ReferenceEquals(candidate, backend))
                {
                    await candidate.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        return results;
    }
}

internal sealed record ProxyLoadResult(string Name, double RequestsPerSecond, FixedRate FixedRate, double IdleRssMb)
{
    public int Round { get; init; } = 1;
}
