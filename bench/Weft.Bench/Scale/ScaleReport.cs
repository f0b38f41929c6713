using System.Globalization;

namespace Weft.Bench.Scale;

/// <summary>
/// Prints a <see cref="ScaleResult"/> as Markdown tables, with the goals and the baselines' ratios: the smaller
/// wave, the transport floor (what moving the same bytes to the same clients costs at least) and generation alone.
/// </summary>
internal static class ScaleReport
{
    private const double FullPushGoalMs = 1000;
    private const double ChangeGoalMs = 250;
    private const double MemoryGoalMb = 512;

    public static void Write(ScaleResult r, TextWriter o)
    {
        var opt = r.Options;
        var changes = r.Changes.Select(c => c.WriteToLastAckMs).ToArray();
        var perClient = r.Changes.SelectMany(c => c.PerClientMs).ToArray();
        var pushes = r.Changes.Select(c => c.WriteToPushMs).ToArray();
        var p99 = Percentiles.Of(changes, 0.99);
        var peakMb = Mb(r.End.PeakWorkingSetBytes);

        var channels = (opt.Clients + EnvoyFleet.StreamsPerChannel - 1) / EnvoyFleet.StreamsPerChannel;
        var where = opt.InProcess ? "in the benchmark's process (memory includes the clients)" : "in a child process";
        o.WriteLine(F($"Scale run: {opt.Services:N0} services x {ScaleConfig.EndpointsPerService} endpoints, {r.RoutedServices:N0} DestinationRules and {r.RoutedServices:N0} VirtualServices ({r.Resources:N0} resources in {opt.Services:N0} files, {opt.Namespaces} namespaces); {opt.Clients:N0} simulated Envoys over state-of-the-world ADS ({channels} HTTP/2 channels); control plane {where}."));
        o.WriteLine(F($"Machine: {Environment.ProcessorCount} cores; load average {r.LoadBefore} before, {r.LoadAfter} after."));
        o.WriteLine();
        o.WriteLine("| measurement | result | goal |");
        o.WriteLine("| --- | ---: | --- |");
        o.WriteLine(F($"| full push to all: {opt.Clients:N0} clients connect at once to a warm control plane with a new push context, until the last has ACKed CDS, EDS, LDS and RDS | {r.Warm.WallMs:N0} ms | < 1 s: {Verdict(r.Warm.WallMs < FullPushGoalMs)} |"));
        o.WriteLine(F($"| &nbsp; per client, stream open to converged, p50 / p99 | {Percentiles.Of(r.Warm.PerClientMs, 0.5):N0} / {Percentiles.Of(r.Warm.PerClientMs, 0.99):N0} ms | |"));
        o.WriteLine(F($"| &nbsp; control-plane CPU time | {r.Warm.Cpu.TotalMilliseconds:N0} ms | |"));
        o.WriteLine(F($"| the same on a cold control plane (first wave after start: JIT, first connections) | {r.Cold.WallMs:N0} ms, CPU {r.Cold.Cpu.TotalMilliseconds:N0} ms | |"));
        o.WriteLine(F($"| change to acknowledged: write one VirtualService file, until all {opt.Clients:N0} affected clients ACKed the new routes; p50 / p99 of {r.Changes.Count} changes | {Percentiles.Of(changes, 0.5):N0} / {p99:N0} ms | p99 < 250 ms: {Verdict(p99 < ChangeGoalMs)} |"));
        o.WriteLine(F($"| &nbsp; of which write to push (file watch, 100 ms debounce, reload), p50 / p99 | {Percentiles.Of(pushes, 0.5):N0} / {Percentiles.Of(pushes, 0.99):N0} ms | |"));
        o.WriteLine(F($"| &nbsp; per client over all changes, write to ACK, p50 / p99 | {Percentiles.Of(perClient, 0.5):N0} / {Percentiles.Of(perClient, 0.99):N0} ms | |"));
        o.WriteLine(F($"| &nbsp; control-plane CPU time per change, mean | {(r.Changes.Count == 0 ? 0 : r.Changes.Average(c => c.Cpu.TotalMilliseconds)):N0} ms | |"));
        o.WriteLine(F($"| control-plane managed heap after a full GC, all clients connected | {Mb(r.Connected.HeapBytes):N0} MB | |"));
        o.WriteLine(F($"| control-plane working set, all clients connected (after GC) / peak over the run | {Mb(r.Connected.WorkingSetBytes):N0} / {peakMb:N0} MB | < 512 MB: {Verdict(peakMb < MemoryGoalMb)} |"));
        o.WriteLine(F($"| control-plane heap / working set with the configuration loaded, no clients | {Mb(r.Idle.HeapBytes):N0} / {Mb(r.Idle.WorkingSetBytes):N0} MB | |"));
        o.WriteLine(F($"| control-plane allocations over the run / gen 2 collections | {Mb(r.End.AllocatedBytes):N0} MB / {r.End.Gen2Collections} | |"));
        o.WriteLine();

        o.WriteLine("| baseline (same run) | result | ratio |");
        o.WriteLine("| --- | ---: | --- |");
        if (r.Baseline is { } small)
        {
            o.WriteLine(F($"| full push to {small.Clients:N0} clients (warm) | {small.WallMs:N0} ms, CPU {small.Cpu.TotalMilliseconds:N0} ms | {opt.Clients:N0}-client push / {small.Clients:N0}-client push: {r.Warm.WallMs / small.WallMs:F1}x wall, {Ratio(r.Warm.Cpu, small.Cpu)} CPU ({(double)opt.Clients / small.Clients:F0}x is linear) |"));
        }

        WriteFloor(r, changes, o);
        if (r.Generation is { } g)
        {
            var clock = g.CpuTime ? "thread CPU time" : "wall time";
            o.WriteLine(F($"| generate and serialize the same four responses for the same {g.Clients:N0} proxies, in the benchmark's process, one thread, no network ({clock}; wall {g.WallMs:N0} ms) | {g.BaselineMs:N0} ms | full push / generation: {r.Warm.WallMs / g.BaselineMs:F2}x wall, {r.Warm.Cpu.TotalMilliseconds / g.BaselineMs:F2}x control-plane CPU |"));
            o.WriteLine();
            o.WriteLine(F($"Where the time goes ({clock} of one thread in the benchmark's process; generation is the second round, on a fresh push context as a real push is):"));
            o.WriteLine();
            o.WriteLine("| stage | total | per client |");
            o.WriteLine("| --- | ---: | ---: |");
            o.WriteLine(F($"| load {g.Load.Files:N0} files: scan / validate and store / registry / push context | {g.Load.ScanMs:N0} / {g.Load.ApplyMs:N0} / {g.Load.RegistryMs:N0} / {g.Load.PushContextMs:N0} ms | |"));
            o.WriteLine(F($"| reload after a one-file change: scan / validate and store / registry / push context | {g.Reload.ScanMs:N0} / {g.Reload.ApplyMs:N0} / {g.Reload.RegistryMs:N0} / {g.Reload.PushContextMs:N0} ms | |"));
            o.WriteLine(F($"| CDS generate ({g.ResourcesPerClient.Cds:N0} clusters, {g.BytesPerClient.Cds / 1024.0:N0} KB) | {g.CdsMs:N0} ms | {g.CdsMs / g.Clients:F2} ms |"));
            o.WriteLine(F($"| EDS generate ({g.ResourcesPerClient.Eds:N0} assignments, {g.BytesPerClient.Eds / 1024.0:N0} KB) | {g.EdsMs:N0} ms | {g.EdsMs / g.Clients:F2} ms |"));
            o.WriteLine(F($"| LDS generate ({g.ResourcesPerClient.Lds:N0} listeners, {g.BytesPerClient.Lds / 1024.0:N0} KB) | {g.LdsMs:N0} ms | {g.LdsMs / g.Clients:F2} ms |"));
            o.WriteLine(F($"| RDS generate ({g.ResourcesPerClient.Rds:N0} route configurations, {g.BytesPerClient.Rds / 1024.0:N0} KB) | {g.RdsMs:N0} ms | {g.RdsMs / g.Clients:F2} ms |"));
            o.WriteLine(F($"| serialize the four responses | {g.SerializeMs:N0} ms | {g.SerializeMs / g.Clients:F2} ms |"));
            o.WriteLine(F($"| the server's SotW \"what changed\" check on the four, for a proxy holding them (not in the baseline) | {g.DiffMs:N0} ms | {g.DiffMs / g.Clients:F2} ms |"));
            var sampled = Math.Max(1, Math.Min(g.Clients, GenerationProfile.Sampled));
            o.WriteLine(F($"| &nbsp; apart, uncached, first {sampled} clients: build one route configuration / pack and hash it | {g.RoutesMs.Build:N0} / {g.RoutesMs.PackAndHash:N0} ms | {g.RoutesMs.Build / sampled:F2} / {g.RoutesMs.PackAndHash / sampled:F2} ms |"));
            o.WriteLine(F($"| &nbsp; apart, first {sampled} clients: services a proxy sees / a DestinationRule per service / VirtualServices for its namespace | {g.LookupsMs.ServicesFor:N0} / {g.LookupsMs.DestinationRules:N0} / {g.LookupsMs.VirtualServicesFor:N0} ms | {g.LookupsMs.ServicesFor / sampled:F2} / {g.LookupsMs.DestinationRules / sampled:F2} / {g.LookupsMs.VirtualServicesFor / sampled:F2} ms |"));
        }
    }

    /// <summary>The floor's rows of the baseline table: its full push and pushes, and the control plane's as multiples of them.</summary>
    private static void WriteFloor(ScaleResult r, double[] changes, TextWriter o)
    {
        if (r.Floor is not { } floor)
        {
            if (r.FloorFailure is { } failure)
            {
                o.WriteLine(F($"| transport floor: the same clients served prebuilt responses | failed: {Cell(failure)} | |"));
            }

            return;
        }

        var floorChanges = floor.Changes.Select(c => c.WriteToLastAckMs).ToArray();
        var (floorP50, floorP99) = (Percentiles.Of(floorChanges, 0.5), Percentiles.Of(floorChanges, 0.99));
        var pushToAck = r.Changes.Select(c => c.WriteToLastAckMs - c.WriteToPushMs).ToArray();
        o.WriteLine(F($"| transport floor: the same clients served prebuilt responses (no generation, no diffing), full push to {floor.Warm.Clients:N0} clients (warm) | {floor.Warm.WallMs:N0} ms, CPU {floor.Warm.Cpu.TotalMilliseconds:N0} ms | full push / floor: {Times(r.Warm.WallMs, floor.Warm.WallMs)} wall, {Times(r.Warm.Cpu.TotalMilliseconds, floor.Warm.Cpu.TotalMilliseconds)} CPU |"));
        o.WriteLine(F($"| &nbsp; floor change: the same routes pushed as a new version, from the command until all {floor.Warm.Clients:N0} clients ACKed; p50 / p99 of {floor.Changes.Count}, CPU per push mean | {floorP50:N0} / {floorP99:N0} ms, CPU {(floor.Changes.Count == 0 ? 0 : floor.Changes.Average(c => c.Cpu.TotalMilliseconds)):N0} ms | change p50 / floor p50: {Times(Percentiles.Of(changes, 0.5), floorP50)}; change p99 / floor p99: {Times(Percentiles.Of(changes, 0.99), floorP99)}; without the file watch and debounce (push to last ACK), p50: {Times(Percentiles.Of(pushToAck, 0.5), floorP50)} |"));
        var cold = F($"{floor.Cold.WallMs:N0} ms, CPU {floor.Cold.Cpu.TotalMilliseconds:N0} ms");
        o.WriteLine(floor.Baseline is { } small
            ? F($"| &nbsp; floor full push to {small.Clients:N0} clients / to all on a cold replay server (its first wave: JIT, each class's responses built) | {small.WallMs:N0} ms, CPU {small.Cpu.TotalMilliseconds:N0} ms / {cold} | |")
            : F($"| &nbsp; floor full push on a cold replay server (its first wave: JIT, each class's responses built) | {cold} | |"));
    }

    private static string Times(double a, double b) => b > 0 ? F($"{a / b:F2}x") : "n/a";

    /// <summary>Text made safe for one Markdown table cell.</summary>
    private static string Cell(string text) => text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal);

    private static string Verdict(bool met) => met ? "met" : "**missed**";

    private static string Ratio(TimeSpan a, TimeSpan b) => b > TimeSpan.Zero ? F($"{a / b:F1}x") : "n/a";

    private static double Mb(long bytes) => bytes / (1024.0 * 1024.0);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
