using System.Diagnostics;
using System.Globalization;

namespace Weft.Bench.Scale;

/// <summary>
/// The scale scenario: write the mesh, start a control plane, then (1) a cold wave of every client connecting at once,
/// (2) a smaller wave as a scaling baseline, (3) the measured full push, a warm wave of every client, kept connected for
/// (4) one-file changes, each timed from the file write until every affected client has acknowledged the new routes, and
/// the control plane's memory and CPU throughout; then (5) the transport floor: the same waves and as many pushes served
/// by a replay server that only moves prebuilt responses; finally (6) the in-process generation profile. Every wait is
/// bounded; a client holding the wrong configuration stops the run.
/// </summary>
internal static class ScaleScenario
{
    public static async Task<ScaleResult> RunAsync(ScaleOptions options, TextWriter progress, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(options.Deadline);
        cancel = deadline.Token;
        var directory = options.Directory ?? Path.Combine(Path.GetTempPath(), "weft-scale-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            return await RunInAsync(directory, options, progress, cancel).ConfigureAwait(false);
        }
        finally
        {
            if (options.Directory is null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static async Task<ScaleResult> RunInAsync(string directory, ScaleOptions options, TextWriter progress, CancellationToken cancel)
    {
        var loadBefore = LoadAverage();
        var config = new ScaleConfig(directory, options.Services, options.Namespaces);
        var resources = config.WriteAll();
        progress.WriteLine($"wrote {resources} resources for {options.Services} services to {directory}");

        var link = await StartAsync(LinkedAgent.ControlPlane, directory, options, cancel).ConfigureAwait(false);
        ScaleResult result;
        await using (link.ConfigureAwait(false))
        {
            using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            var watching = WatchMemoryAsync(link, options, guard);
            result = await MeasureAsync(link, config, resources, options, progress, guard.Token).ConfigureAwait(false) with { LoadBefore = loadBefore };
            await guard.CancelAsync().ConfigureAwait(false);
            await watching.ConfigureAwait(false);
        }

        // With the control plane stopped, so the two share neither the machine's cores nor its memory.
        if (options.Floor)
        {
            result = await WithFloorAsync(result, directory, config, options, progress, cancel).ConfigureAwait(false);
        }

        if (options.GenerationBaseline)
        {
            progress.WriteLine("timing generation alone, in this process");
            try
            {
                result = result with { Generation = GenerationProfile.Measure(config, options.Clients) };
            }
            catch (Exception e)
            {
                // The measurements above stand on their own; report them without the profile.
                progress.WriteLine($"the generation profile failed: {e}");
            }
        }

        return result with { LoadAfter = LoadAverage() };
    }

    private static async Task<ScaleResult> MeasureAsync(ControlPlaneLink link, ScaleConfig config, int resources, ScaleOptions options, TextWriter progress, CancellationToken cancel)
    {
        if (link.Resources != resources)
        {
            throw new InvalidOperationException($"the control plane holds {link.Resources} resources, {resources} were written");
        }

        var idle = await link.StatsAsync(collect: true, cancel).ConfigureAwait(false);
        progress.WriteLine($"control plane serving on {link.XdsAddress} ({(link.InProcess ? "in this process" : "child process")}), heap {idle.HeapBytes / 1e6:F0} MB");

        // Each wave meets a push context nobody has been served from (the first is the one loaded at start), so every
        // proxy's resources are generated, not found in the push context's cache from the wave before.
        var cold = await WaveAsync("cold", link, config, options, options.Clients, progress, cancel).ConfigureAwait(false);
        WaveResult? baseline = null;
        if (options.BaselineClients > 0 && options.BaselineClients < options.Clients)
        {
            await FreshPushAsync(link, config, options.Changes, options, cancel).ConfigureAwait(false);
            baseline = await WaveAsync("baseline", link, config, options, options.BaselineClients, progress, cancel).ConfigureAwait(false);
        }

        await FreshPushAsync(link, config, options.Changes + 1, options, cancel).ConfigureAwait(false);
        var (warm, fleet) = await WaveAndKeepAsync("full push", link, config, options, options.Clients, progress, cancel).ConfigureAwait(false);
        ControlPlaneStats connected;
        var changes = new List<ChangeResult>();
        await using (fleet.ConfigureAwait(false))
        {
            connected = await link.StatsAsync(collect: true, cancel).ConfigureAwait(false);
            progress.WriteLine($"all connected: control plane heap after GC {connected.HeapBytes / 1e6:F0} MB, working set {connected.WorkingSetBytes / 1e6:F0} MB, peak {connected.PeakWorkingSetBytes / 1e6:F0} MB");
            for (var change = 0; change < options.Changes; change++)
            {
                var result = await ChangeAsync(change, link, config, fleet, options, cancel).ConfigureAwait(false);
                changes.Add(result);
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"change {change + 1}/{options.Changes} ({ScaleConfig.Name(result.Service)}): pushed after {result.WriteToPushMs:F0} ms, all {fleet.Clients.Count} acknowledged after {result.WriteToLastAckMs:F0} ms"));
            }
        }

        var end = await link.StatsAsync(collect: false, cancel).ConfigureAwait(false);
        await link.WaitConnectionsAsync(0, options.WaitTimeout, cancel).ConfigureAwait(false);
        return new ScaleResult
        {
            Options = options,
            Resources = resources,
            RoutedServices = config.RoutedServices,
            LoadBefore = string.Empty,
            LoadAfter = string.Empty,
            Cold = cold,
            Baseline = baseline,
            Warm = warm,
            Changes = changes,
            Idle = idle,
            Connected = connected,
            End = end,
        };
    }

    private static Task<ControlPlaneLink> StartAsync(LinkedAgent agent, string directory, ScaleOptions options, CancellationToken cancel) =>
        options.InProcess
            ? ControlPlaneLink.StartInProcessAsync(agent, directory, options.WaitTimeout, cancel)
            : ControlPlaneLink.StartChildAsync(agent, directory, options.MaxHeapMb, options.WaitTimeout, cancel);

    /// <summary>
    /// Adds the transport floor, measured on the same directory with the same clients (in a child process, or in this one
    /// with <c>--in-process</c>). A failure is reported beside the measurements, which stand without it.
    /// </summary>
    private static async Task<ScaleResult> WithFloorAsync(ScaleResult result, string directory, ScaleConfig config, ScaleOptions options, TextWriter progress, CancellationToken cancel)
    {
        progress.WriteLine("transport floor: the same clients, served prebuilt responses by a replay server");
        try
        {
            var link = await StartAsync(LinkedAgent.Replay, directory, options, cancel).ConfigureAwait(false);
            await using (link.ConfigureAwait(false))
            {
                if (link.Resources != result.Resources)
                {
                    throw new InvalidOperationException($"the replay server holds {link.Resources} resources, {result.Resources} were written");
                }

                using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                var watching = WatchMemoryAsync(link, options, guard);
                try
                {
                    return result with { Floor = await MeasureFloorAsync(link, config, options, progress, guard.Token).ConfigureAwait(false) };
                }
                finally
                {
                    await guard.CancelAsync().ConfigureAwait(false);
                    await watching.ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            progress.WriteLine($"the transport floor failed: {e}");
            return result with { FloorFailure = e.Message };
        }
    }

    /// <summary>
    /// The floor's waves as the control plane's: a cold one (JIT; each class's responses built), the smaller one, the full
    /// push kept connected, then its pushes, each timed from the <c>push</c> command as a change is from its file write.
    /// </summary>
    private static async Task<FloorResult> MeasureFloorAsync(ControlPlaneLink link, ScaleConfig config, ScaleOptions options, TextWriter progress, CancellationToken cancel)
    {
        var cold = await WaveAsync("floor cold", link, config, options, options.Clients, progress, cancel).ConfigureAwait(false);
        WaveResult? baseline = null;
        if (options.BaselineClients > 0 && options.BaselineClients < options.Clients)
        {
            baseline = await WaveAsync("floor baseline", link, config, options, options.BaselineClients, progress, cancel).ConfigureAwait(false);
        }

        var (warm, fleet) = await WaveAndKeepAsync("floor full push", link, config, options, options.Clients, progress, cancel).ConfigureAwait(false);
        var changes = new List<ChangeResult>();
        await using (fleet.ConfigureAwait(false))
        {
            for (var change = 0; change < options.Changes; change++)
            {
                var result = await TimeChangeAsync(change, link, fleet, options, async () =>
                {
                    await link.RequestPushAsync(cancel).ConfigureAwait(false);
                    return ChangeResult.NoService;
                }, verify: null, cancel).ConfigureAwait(false);
                changes.Add(result);
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"floor push {change + 1}/{options.Changes}: all {fleet.Clients.Count} acknowledged after {result.WriteToLastAckMs:F0} ms"));
            }
        }

        await link.WaitConnectionsAsync(0, options.WaitTimeout, cancel).ConfigureAwait(false);
        return new FloorResult(cold, baseline, warm, changes);
    }

    /// <summary>A one-file change while no client is connected, so the next wave meets a new push context.</summary>
    private static async Task FreshPushAsync(ControlPlaneLink link, ScaleConfig config, int change, ScaleOptions options, CancellationToken cancel)
    {
        link.ForgetPushes();
        config.ChangeWeights(change);
        await link.NextPushAsync(options.WaitTimeout, cancel).ConfigureAwait(false);
    }

    private static async Task<WaveResult> WaveAsync(string name, ControlPlaneLink link, ScaleConfig config, ScaleOptions options, int clients, TextWriter progress, CancellationToken cancel)
    {
        var (result, fleet) = await WaveAndKeepAsync(name, link, config, options, clients, progress, cancel).ConfigureAwait(false);
        await fleet.DisposeAsync().ConfigureAwait(false);
        await link.WaitConnectionsAsync(0, options.WaitTimeout, cancel).ConfigureAwait(false);
        return result;
    }

    private static async Task<(WaveResult Result, EnvoyFleet Fleet)> WaveAndKeepAsync(string name, ControlPlaneLink link, ScaleConfig config, ScaleOptions options, int clients, TextWriter progress, CancellationToken cancel)
    {
        var before = await link.StatsAsync(collect: false, cancel).ConfigureAwait(false);
        var fleet = EnvoyFleet.Start(link.XdsAddress, config, clients, c => c % options.VerifyEvery == 0, cancel);
        try
        {
            var converged = await fleet.WaitConvergedAsync(options.WaitTimeout, cancel).ConfigureAwait(false);
            var after = await link.StatsAsync(collect: false, cancel).ConfigureAwait(false);
            foreach (var client in fleet.Clients)
            {
                ScaleChecks.Converged(config, client);
            }

            var perClient = fleet.Clients.Select((c, i) => Ms(converged[i] - c.StartedAt)).ToArray();
            var result = new WaveResult(name, clients, Ms(converged.Max() - fleet.StartedAt), perClient, after.Cpu - before.Cpu);
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} wave: {clients} clients converged in {result.WallMs:F0} ms ({link.Name} CPU {result.Cpu.TotalMilliseconds:F0} ms)"));
            return (result, fleet);
        }
        catch
        {
            await fleet.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static Task<ChangeResult> ChangeAsync(int change, ControlPlaneLink link, ScaleConfig config, EnvoyFleet fleet, ScaleOptions options, CancellationToken cancel) =>
        TimeChangeAsync(change, link, fleet, options, () => Task.FromResult(config.ChangeWeights(change)), (client, service) => ScaleChecks.Weights(config, client, service), cancel);

    /// <summary>
    /// Times one change: <paramref name="make"/> causes a push (and names the service it changed), then every client's ACK of
    /// routes of that push or later is awaited; clients that decode their routes are then checked by <paramref name="verify"/>.
    /// </summary>
    private static async Task<ChangeResult> TimeChangeAsync(int change, ControlPlaneLink link, EnvoyFleet fleet, ScaleOptions options,
        Func<Task<int>> make, Action<SimulatedEnvoy, int>? verify, CancellationToken cancel)
    {
        var before = await link.StatsAsync(collect: false, cancel).ConfigureAwait(false);
        link.ForgetPushes();
        var written = Stopwatch.GetTimestamp();
        var service = await make().ConfigureAwait(false);
        var push = await link.NextPushAsync(options.WaitTimeout, cancel).ConfigureAwait(false);
        long[] acks;
        try
        {
            acks = await Task.WhenAll(fleet.Clients.Select(c => c.RoutesAckedAsync(push.Version))).WaitAsync(options.WaitTimeout, cancel).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var pending = fleet.Clients.Count(c => !c.RoutesAckedAsync(push.Version).IsCompleted);
            throw new TimeoutException($"change {change + 1}: {pending} of {fleet.Clients.Count} clients did not acknowledge push {push.Version} within {options.WaitTimeout.TotalSeconds:F0} s");
        }

        var after = await link.StatsAsync(collect: false, cancel).ConfigureAwait(false);
        var verified = 0;
        if (verify is not null)
        {
            foreach (var client in fleet.Clients.Where(c => c.VerifyRoutes))
            {
                verify(client, service);
                verified++;
            }
        }

        return new ChangeResult(service, push.Version, Ms(push.At - written), Ms(acks.Max() - written), acks.Select(a => Ms(a - written)).ToArray(), after.Cpu - before.Cpu, verified);
    }

    /// <summary>Stops the run (through <paramref name="guard"/>) if the child's working set passes twice its heap limit.</summary>
    private static async Task WatchMemoryAsync(ControlPlaneLink link, ScaleOptions options, CancellationTokenSource guard)
    {
        if (options.MaxHeapMb <= 0)
        {
            return;
        }

        var limit = 2L * options.MaxHeapMb * 1024 * 1024;
        try
        {
            while (!guard.IsCancellationRequested)
            {
                if (link.ChildWorkingSetBytes() is { } bytes && bytes > limit)
                {
                    await Console.Error.WriteLineAsync($"the {link.Name}'s working set reached {bytes / (1024 * 1024)} MB, over twice --max-heap-mb; stopping the run").ConfigureAwait(false);
                    await guard.CancelAsync().ConfigureAwait(false);
                    return;
                }

                await Task.Delay(1000, guard.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
