using System.Globalization;

namespace Weft.Bench.ProxyLoad;

/// <summary>The proxy benchmark's table, every figure also as a ratio to nginx (and latency as added to direct).</summary>
internal static class ProxyLoadReport
{
    public static void Write(IReadOnlyList<ProxyLoadResult> results, ProxyLoadOptions options, TextWriter o)
    {
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
        o.WriteLine(F($"Proxy benchmark: HTTP/1.1 keep-alive, {options.BodyBytes}-byte responses from nginx (1 worker); wrk -t1 -c{options.Connections} for {options.DurationSeconds} s after {options.WarmupSeconds} s; h2load --h1 at {options.Rate:N0} requests/s over {options.RateClients} connections for {options.DurationSeconds} s. Machine: {Environment.ProcessorCount} cores; /proc/loadavg at the end: {load}."));
        foreach (var round in results.GroupBy(r => r.Round))
        {
            o.WriteLine();
            if (options.Rounds > 1)
            {
                o.WriteLine(F($"Round {round.Key} of {options.Rounds}:"));
                o.WriteLine();
            }

            Table(round.OrderBy(r => ProxyLoadOptions.Candidates.ToList().IndexOf(r.Name)).ToList(), o);
        }
    }

    private static void Table(IReadOnlyList<ProxyLoadResult> results, TextWriter o)
    {
        o.WriteLine("| through | requests/s | vs nginx | p50 / p90 / p99 at the fixed rate | added p99 vs direct | CPU s per 1,000 requests | vs nginx | context switches per request | RSS idle / under load |");
        o.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var nginx = results.FirstOrDefault(r => r.Name == "nginx");
        var direct = results.FirstOrDefault(r => r.Name == "direct");
        foreach (var r in results)
        {
            var isDirect = r.Name == "direct";
            o.WriteLine(F($"| {r.Name} | {r.RequestsPerSecond:N0} | {Ratio(r.RequestsPerSecond, nginx?.RequestsPerSecond)} | {r.FixedRate.P50Ms:F3} / {r.FixedRate.P90Ms:F3} / {r.FixedRate.P99Ms:F3} ms | {(isDirect || direct is null ? "" : F($"{r.FixedRate.P99Ms - direct.FixedRate.P99Ms:F3} ms"))} | {(isDirect ? "" : F($"{r.FixedRate.CpuPerThousand:F3}"))} | {(isDirect ? "" : Ratio(r.FixedRate.CpuPerThousand, nginx?.FixedRate.CpuPerThousand))} | {(isDirect ? "" : F($"{r.FixedRate.SwitchesPerRequest:F2}"))} | {(isDirect ? "" : F($"{r.IdleRssMb:F0} / {r.FixedRate.PeakRssMb:F0} MB"))} |"));
        }
    }

    /// <summary>
    /// What mutual TLS costs between two proxies: each mTLS pair against the plaintext pair of the same round, and with
    /// several rounds the median of those costs.
    /// </summary>
    public static void WriteMutualTls(IReadOnlyList<ProxyLoadResult> results, TextWriter o)
    {
        var pairs = new[]
        {
            ("weft-pair", "weft-pair-mtls", "kept-alive connections"),
            ("weft-pair-newconn", "weft-pair-mtls-newconn", "a new connection (and TLS handshake) per request"),
            ("yarp-pair", "yarp-pair-mtls", "the library floor, kept-alive connections"),
        };
        var rounds = results.Select(r => r.Round).Distinct().Count();
        foreach (var (plainName, mtlsName, what) in pairs)
        {
            var costs = new List<double>();
            foreach (var round in results.GroupBy(r => r.Round))
            {
                var plain = round.FirstOrDefault(r => r.Name == plainName);
                var mtls = round.FirstOrDefault(r => r.Name == mtlsName);
                if (plain is null || mtls is null)
                {
                    continue;
                }

                var cost = (1 - (mtls.RequestsPerSecond / plain.RequestsPerSecond)) * 100;
                costs.Add(cost);
                var label = rounds > 1 ? F($"round {round.Key}, ") : string.Empty;
                o.WriteLine(F($"mTLS between two proxies, {label}{what}: {mtls.RequestsPerSecond:N0} requests/s against {plain.RequestsPerSecond:N0} plaintext ({mtls.RequestsPerSecond / plain.RequestsPerSecond:F2}x, a cost of {cost:F1}%); p99 at the fixed rate {mtls.FixedRate.P99Ms:F3} ms against {plain.FixedRate.P99Ms:F3} ms ({mtls.FixedRate.P99Ms - plain.FixedRate.P99Ms:+0.000;-0.000;0.000} ms); CPU {mtls.FixedRate.CpuPerThousand:F3} against {plain.FixedRate.CpuPerThousand:F3} s per 1,000 requests."));
            }

            if (costs.Count > 1)
            {
                var sorted = costs.Order().ToList();
                var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
                o.WriteLine(F($"mTLS between two proxies, {what}: median cost over {costs.Count} rounds {median:F1}% (lowest {sorted[0]:F1}%, highest {sorted[^1]:F1}%)."));
            }
        }
    }

    /// <summary>
    /// What Weft costs above the libraries it is built on: weft against the floor (Kestrel and YARP's forwarder alone)
    /// and the weft pair against the floor pair, in each round.
    /// </summary>
    public static void WriteFloor(IReadOnlyList<ProxyLoadResult> results, TextWriter o)
    {
        foreach (var (weftName, floorName) in new[] { ("weft", "yarp"), ("weft-pair", "yarp-pair"), ("weft-pair-mtls", "yarp-pair-mtls") })
        {
            foreach (var round in results.GroupBy(r => r.Round))
            {
                var weft = round.FirstOrDefault(r => r.Name == weftName);
                var floor = round.FirstOrDefault(r => r.Name == floorName);
                if (weft is null || floor is null)
                {
                    continue;
                }

                var label = results.Select(r => r.Round).Distinct().Count() > 1 ? F($", round {round.Key}") : string.Empty;
                o.WriteLine(F($"{weftName} against the library floor {floorName}{label}: requests/s {weft.RequestsPerSecond / floor.RequestsPerSecond:F2}x ({weft.RequestsPerSecond:N0} against {floor.RequestsPerSecond:N0}); CPU per 1,000 requests {weft.FixedRate.CpuPerThousand / floor.FixedRate.CpuPerThousand:F2}x ({weft.FixedRate.CpuPerThousand:F3} against {floor.FixedRate.CpuPerThousand:F3} s); p99 at the fixed rate {weft.FixedRate.P99Ms:F3} against {floor.FixedRate.P99Ms:F3} ms; RSS under load {weft.FixedRate.PeakRssMb:F0} against {floor.FixedRate.PeakRssMb:F0} MB."));
            }
        }
    }

    private static string Ratio(double value, double? baseline) => baseline is > 0 ? F($"{value / baseline.Value:F2}x") : "";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
