using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Weft.Cli.Commands;
using Weft.Cli.Sample;
using Weft.Cli.Up.Proxies;
using Weft.Cli.Up.Traffic;
using Weft.Control.Hosting;

namespace Weft.Cli.Up;

/// <summary>
/// One run of <c>weft up</c>: the control plane, a sample workload per local WorkloadEntry, the client proxy and the traffic
/// through it, started in that order and stopped in the reverse order, with the live view (or a summary line a second) while
/// it runs and the totals after. Exit code 0 when it ran until interrupted or for its duration, 1 when it could not start
/// or the proxy stopped under it.
/// </summary>
internal sealed class UpSession
{
    /// <summary>The client's node id: a sidecar in <c>default</c> that no WorkloadEntry names, so it only sends.</summary>
    public const string ClientNodeId = "sidecar~127.0.0.1~weft-up-client.default~default.svc.cluster.local";

    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private const int RecentMessages = 4;

    private readonly UpOptions _options;
    private readonly IProxyRunner _proxies;
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly Func<int>? _terminalWidth;
    private readonly TimeProvider _time;
    private readonly Queue<string> _messages = new();
    private readonly List<(string What, Func<ValueTask> Stop)> _running = [];
    private readonly List<LoopbackPorts> _reserved = [];

    /// <summary>The control plane's CA for this run only: a fresh root, removed when the run stops.</summary>
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "weft-up-" + Guid.NewGuid().ToString("N")[..12]);
    private volatile LiveView? _view;

    /// <param name="terminalWidth">The terminal's width when standard output is one; null otherwise (no view is drawn).</param>
    public UpSession(UpOptions options, IProxyRunner proxies, TextWriter stdout, TextWriter stderr, Func<int>? terminalWidth, TimeProvider time)
    {
        _options = options;
        _proxies = proxies;
        _stdout = TextWriter.Synchronized(stdout);
        _stderr = TextWriter.Synchronized(stderr);
        _terminalWidth = terminalWidth;
        _time = time;
    }

    public async Task<int> RunAsync(CancellationToken cancel)
    {
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(new UpLog(Logged)));
        TrafficGenerator? traffic = null;
        var code = 0;
        try
        {
            code = await StartAndRunAsync(loggers, g => traffic = g, cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Interrupted while starting: stop what did start, as after a normal run.
        }
        catch (UpException e)
        {
            _stderr.WriteLine($"weft up: {e.Message}");
            code = 1;
        }
        finally
        {
            _view?.Close();
            _view = null;
            await StopAllAsync().ConfigureAwait(false);
        }

        if (traffic is not null)
        {
            PrintTotals(traffic);
        }

        return code;
    }

    private async Task<int> StartAndRunAsync(ILoggerFactory loggers, Action<TrafficGenerator> started, CancellationToken cancel)
    {
        var plane = await StartControlPlaneAsync(loggers, cancel).ConfigureAwait(false);
        var config = plane.Store.Current;
        Say($"control plane: xDS on {plane.XdsEndpoint}, HTTP on {plane.HttpEndpoint}; {config.Resources.Count} resource(s) from {_options.Directory}, {config.Rejections.Count} rejected");

        var plan = UpPlan.From(config, _options.Directory);
        foreach (var note in plan.Notes)
        {
            Say(note);
        }

        if (plan.Errors.Count > 0)
        {
            throw new UpException(string.Join(Environment.NewLine + "weft up: ", plan.Errors));
        }

        var workloads = new List<SampleWorkload>();
        foreach (var workload in plan.Workloads)
        {
            workloads.Add(await StartWorkloadAsync(workload, cancel).ConfigureAwait(false));
            if (workload.Sidecar is { } sidecar)
            {
                var sidecarPorts = Reserve(5);
                var sidecarLaunch = new ProxyLaunch(workload.NodeId, plane.XdsEndpoint, sidecarPorts[0], sidecarPorts[1], sidecarPorts[2], sidecarPorts[3], sidecarPorts[4])
                {
                    Labels = workload.Labels,
                    Secure = Secure(plane, workload.ServiceAccount),
                };
                await StartProxyAsync(sidecarLaunch, $"sidecar of {workload.Name}", cancel).ConfigureAwait(false);
                Say($"sidecar of {workload.Name}: {workload.Address} ({sidecar.Resource}) in front of {workload.AppAddress}, mTLS identity {Identity(workload.Namespace, workload.ServiceAccount)}");
            }
        }

        var ports = Reserve(5);
        // The client's app label names it in the proxy's metrics (source_app, source_canonical_service).
        var launch = new ProxyLaunch(ClientNodeId, plane.XdsEndpoint, ports[0], ports[1], ports[2], ports[3], ports[4])
        {
            Labels = new Dictionary<string, string> { ["app"] = "weft-up-client" },
            Secure = plan.ClientServiceAccount is { } account ? Secure(plane, account) : null,
        };
        if (plan.ClientServiceAccount is null && plan.Workloads.Any(w => w.Sidecar is not null))
        {
            Say($"the client proxy has no workload identity (no WorkloadEntry default/{UpPlan.ClientWorkload}), so it cannot speak mTLS to the sidecars; STRICT workloads will refuse it");
        }

        var proxy = await StartProxyAsync(launch, "client proxy", cancel).ConfigureAwait(false);

        if (plan.Targets.Count == 0)
        {
            Say($"nothing to send traffic to: no VirtualService in {_options.Directory} routes an HTTP port of a service that a ServiceEntry declares");
        }

        var traffic = new TrafficGenerator(launch.OutboundAddress, plan.Targets, _options.Rate, _time);
        var counting = cancel.Register(traffic.StopCounting);
        _running.Add(("traffic", async () =>
        {
            await counting.DisposeAsync().ConfigureAwait(false);
            await traffic.StopAsync().ConfigureAwait(false);
        }));
        started(traffic);
        traffic.Start();
        foreach (var target in plan.Targets)
        {
            Say($"sending {Number(_options.Rate)} request(s)/s to {target.Authority} (VirtualService {target.VirtualService}) through {launch.OutboundAddress}");
        }

        var header = Header(plane, launch, proxy, workloads, plan);
        return await WatchAsync(traffic, proxy, header, cancel).ConfigureAwait(false);
    }

    private async Task<ControlPlane> StartControlPlaneAsync(ILoggerFactory loggers, CancellationToken cancel)
    {
        ControlPlane plane;
        try
        {
            plane = await ControlPlane.StartAsync(new ControlPlaneOptions
            {
                ConfigDirectory = _options.Directory,
                XdsAddress = _options.XdsAddress,
                HttpAddress = _options.HttpAddress,
                StateDirectory = _stateDirectory,
                SecureXdsAddress = "127.0.0.1:0",
                Time = _time,
            }, loggers, cancel).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // Kestrel's message names the address it could not bind.
            throw new UpException($"the control plane cannot listen: {e.Message.TrimEnd('.')}; choose other addresses with --xds-address and --http-address");
        }

        _running.Add(("control plane", async () =>
        {
            await plane.DisposeAsync().ConfigureAwait(false);
            Directory.Delete(_stateDirectory, recursive: true);
        }));
        return plane;
    }

    private async Task<SampleWorkload> StartWorkloadAsync(PlannedWorkload workload, CancellationToken cancel)
    {
        SampleWorkload sample;
        try
        {
            sample = await SampleWorkload.StartAsync(new SampleWorkloadOptions(workload.Service, workload.Version, workload.Name, workload.AppAddress), cancel).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new UpException($"WorkloadEntry {workload.Namespace}/{workload.Name} ({workload.File}) cannot run: {ListenFailure.Describe(e, workload.AppAddress)}; "
                + $"stop what holds port {Number(workload.AppAddress.Port)} or give the WorkloadEntry another port");
        }

        _running.Add(($"workload {workload.Name}", () => sample.DisposeAsync()));
        Say($"workload {workload.Name}: {workload.Service} {workload.Version} on {sample.Endpoint}");
        return sample;
    }

    private async Task<IRunningProxy> StartProxyAsync(ProxyLaunch launch, string what, CancellationToken cancel)
    {
        IRunningProxy proxy;
        try
        {
            proxy = await _proxies.StartAsync(launch, cancel).ConfigureAwait(false);
        }
        catch (ProxyStartException e)
        {
            throw new UpException($"cannot start the {what}: {e.Message}");
        }

        _running.Add((what, () => proxy.DisposeAsync()));
        var xds = launch.Secure is { } secure ? $"xDS and certificate over TLS from {secure.Address}" : $"xDS {launch.XdsAddress}";
        Say($"{what} {launch.NodeId} ({proxy.Description}, {xds}): outbound {launch.OutboundAddress}, admin {launch.AdminAddress}; waiting for http://{launch.HealthAddress}/healthz/ready");
        var waited = _time.GetTimestamp();
        await WaitReadyAsync(launch.HealthAddress, proxy, what, cancel).ConfigureAwait(false);
        Say($"{what} ready after {_time.GetElapsedTime(waited).TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s");
        return proxy;
    }

    private SecureXds Secure(ControlPlane plane, string serviceAccount) =>
        new(plane.SecureXdsEndpoint ?? throw new UpException("the control plane runs no CA, so no proxy can get a certificate"), new Weft.Control.Ca.CaPaths(_stateDirectory).RootCert, serviceAccount);

    private static string Identity(string ns, string serviceAccount) => $"spiffe://cluster.local/ns/{ns}/sa/{serviceAccount}";

    /// <summary>Asks the proxy's health endpoint every 100 ms until it answers 200, the proxy stops, or <see cref="ReadyTimeout"/> passes.</summary>
    private async Task WaitReadyAsync(IPEndPoint health, IRunningProxy proxy, string what, CancellationToken cancel)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        var url = new Uri($"http://{health}/healthz/ready");
        var started = _time.GetTimestamp();
        var last = "no answer yet";
        while (true)
        {
            if (proxy.Stopped.IsCompleted)
            {
                throw new UpException($"the {what} stopped before it was ready: {await proxy.Stopped.ConfigureAwait(false)}");
            }

            try
            {
                using var response = await client.GetAsync(url, cancel).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                last = $"it answered {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancel.IsCancellationRequested))
            {
                last = e.Message.TrimEnd('.');
            }

            if (_time.GetElapsedTime(started) > ReadyTimeout)
            {
                throw new UpException($"the {what} was not ready within {ReadyTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s ({url}: {last})");
            }

            await Task.WhenAny(proxy.Stopped, Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancel)).ConfigureAwait(false);
            cancel.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Shows what the traffic does until interrupted, the duration ends, or the proxy stops under it.</summary>
    private async Task<int> WatchAsync(TrafficGenerator traffic, IRunningProxy proxy, IReadOnlyList<string> header, CancellationToken cancel)
    {
        using var duration = _options.Duration is { } d ? new CancellationTokenSource(d, _time) : new CancellationTokenSource();
        using var until = CancellationTokenSource.CreateLinkedTokenSource(cancel, duration.Token);
        var view = _options.View && _terminalWidth is not null ? new LiveView(_stdout, _terminalWidth) : null;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(view is null ? 1000 : 500), _time);
        _view = view;
        while (true)
        {
            var tick = timer.WaitForNextTickAsync(until.Token).AsTask();
            await Task.WhenAny(tick, proxy.Stopped).ConfigureAwait(false);
            if (proxy.Stopped.IsCompleted)
            {
                throw new UpException($"the client proxy stopped: {await proxy.Stopped.ConfigureAwait(false)}");
            }

            try
            {
                await tick.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return 0;
            }

            if (view is not null)
            {
                view.Draw(Frame(header, traffic));
            }
            else if (traffic.Stats.Count > 0)
            {
                var now = _time.GetLocalNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
                _stdout.WriteLine($"{now}  " + string.Join("  |  ", traffic.Stats.Select(s => TrafficText.Summary(s, s.Window(TimeSpan.FromSeconds(1))))));
                _stdout.Flush();
            }
        }
    }

    private List<string> Frame(IReadOnlyList<string> header, TrafficGenerator traffic)
    {
        var lines = new List<string>(header) { string.Empty };
        foreach (var stats in traffic.Stats)
        {
            lines.AddRange(TrafficText.Block(stats, stats.Window(TimeSpan.FromSeconds(1)), stats.Window(TimeSpan.FromSeconds(5)), stats.Totals()));
            lines.Add(string.Empty);
        }

        if (traffic.Stats.Count == 0)
        {
            lines.Add("no traffic: no VirtualService routes an HTTP port of a service declared by a ServiceEntry");
            lines.Add(string.Empty);
        }

        lock (_messages)
        {
            lines.AddRange(_messages);
        }

        return lines;
    }

    private IReadOnlyList<string> Header(ControlPlane plane, ProxyLaunch launch, IRunningProxy proxy, List<SampleWorkload> workloads, UpPlan plan)
    {
        var hintFile = plan.Targets.Select(t => t.File).FirstOrDefault() ?? Path.Combine(_options.Directory, "virtual-service.yaml");
        return
        [
            $"weft up {_options.Directory}: edit {hintFile} to move traffic; Ctrl-C stops",
            $"  control plane  xDS {plane.XdsEndpoint}, HTTP {plane.HttpEndpoint}",
            $"  client proxy   outbound {launch.OutboundAddress}, admin {launch.AdminAddress} ({proxy.Description})",
            "  workloads      " + (workloads.Count == 0 ? "none" : string.Join(", ", workloads.Select(w => $"{w.Options.Instance} {w.Endpoint}"))),
        ];
    }

    /// <summary>Ports for a child proxy's listeners, held until the session stops.</summary>
    private LoopbackPorts Reserve(int count)
    {
        var ports = LoopbackPorts.Reserve(count);
        _reserved.Add(ports);
        return ports;
    }

    private async Task StopAllAsync()
    {
        foreach (var ports in _reserved)
        {
            ports.Dispose();
        }

        _reserved.Clear();
        if (_running.Count == 0)
        {
            return;
        }

        Say("stopping " + string.Join(", ", Enumerable.Reverse(_running).Select(r => r.What)));
        for (var i = _running.Count - 1; i >= 0; i--)
        {
            try
            {
                await _running[i].Stop().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _stderr.WriteLine($"weft up: stopping the {_running[i].What} failed: {e.Message}");
            }
        }

        _running.Clear();
    }

    private void PrintTotals(TrafficGenerator traffic)
    {
        _stdout.WriteLine($"weft up: totals after {traffic.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s of traffic");
        foreach (var stats in traffic.Stats)
        {
            _stdout.WriteLine("  " + TrafficText.Total(stats, stats.Totals()));
        }

        _stdout.Flush();
    }

    /// <summary>The control plane's log: printed as it comes, or kept for the view's last lines while the view is drawn.</summary>
    private void Logged(LogLevel level, string message)
    {
        var line = $"{_time.GetLocalNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture)} control plane: {(level >= LogLevel.Warning ? "warning: " : string.Empty)}{message}";
        if (_view is null)
        {
            _stderr.WriteLine($"weft up: {line}");
            _stderr.Flush();
            return;
        }

        lock (_messages)
        {
            _messages.Enqueue(line);
            while (_messages.Count > RecentMessages)
            {
                _messages.Dequeue();
            }
        }
    }

    private void Say(string line)
    {
        _stdout.WriteLine($"weft up: {line}");
        _stdout.Flush();
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class UpException(string message) : Exception(message);
}
