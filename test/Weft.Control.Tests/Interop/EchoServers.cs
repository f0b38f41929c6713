using System.Text.Json;
using System.Text.Json.Nodes;

namespace Weft.Control.Tests.Interop;

/// <summary>
/// Plain gRPC Echo backends (servers.js: grpc-js, no xDS) in one node child process on 127.0.0.1.
/// Exposes the bound ports, every call each backend received, and changes a backend's behaviour
/// while it runs. Disposing closes the process's stdin (it exits) and kills it if it lingers.
/// </summary>
public sealed class EchoServers : IAsyncDisposable
{
    /// <summary>For start-up and acknowledgements: a bound for hangs on a loaded machine, not an expectation.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly NodeProcess process;
    private readonly Observed<EchoCall> calls;
    private readonly SemaphoreSlim commands = new(1, 1);
    private Dictionary<string, int> ports = [];

    private EchoServers(NodeProcess process, Observed<EchoCall> calls)
    {
        this.process = process;
        this.calls = calls;
    }

    /// <summary>Backend name to bound port.</summary>
    public IReadOnlyDictionary<string, int> Ports => ports;

    /// <summary>Every call received so far, in arrival order, over all backends.</summary>
    public IReadOnlyList<EchoCall> Calls => calls.Snapshot();

    /// <summary>
    /// Starts the backends and returns once all are bound (or throws, with node's stderr). Skips the
    /// calling test when node or the npm packages are missing.
    /// </summary>
    public static async Task<EchoServers> StartAsync(IEnumerable<EchoBackend> backends, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var node = NodeInterop.Require();
        var config = new JsonArray([.. backends.Select(b => (JsonNode)b.ToJson())]);
        NodeProcess? started = null;
        var received = new Observed<EchoCall>(() => started?.Describe() ?? "");
        var process = started = NodeProcess.Start(node, "servers.js", config.ToJsonString(), new Dictionary<string, string>(), e =>
        {
            if (EventJson.Is(e, "call"))
            {
                received.Add(EchoCall.FromJson(e));
            }
        });
        // A dead servers.js fails waits on calls at once instead of at their timeouts.
        _ = process.Ended.ContinueWith(_ => received.End("servers.js ended"), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        var servers = new EchoServers(process, received);
        try
        {
            var end = await process.Events.WaitForItemAsync(
                e => EventJson.Is(e, "listening") || EventJson.Is(e, "error"), 0, timeout ?? DefaultTimeout, "servers.js to bind its backends", cancellationToken);
            if (EventJson.Is(end, "error"))
            {
                throw new InteropException($"servers.js did not start: {EventJson.Message(end)}\n{process.Describe()}");
            }

            servers.ports = process.Events.Snapshot()
                .Where(e => EventJson.Is(e, "ready"))
                .ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("port").GetInt32(), StringComparer.Ordinal);
            return servers;
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }
    }

    public int Port(string backend) =>
        ports.TryGetValue(backend, out var port) ? port : throw new ArgumentException($"no backend named {backend}; have {string.Join(", ", ports.Keys)}", nameof(backend));

    /// <summary><c>127.0.0.1:PORT</c> of a backend, the target of a direct client.</summary>
    public string Address(string backend) => $"127.0.0.1:{Port(backend)}";

    public int CallCount(string backend) => calls.Snapshot().Count(c => c.Backend == backend);

    /// <summary>Calls received per backend (backends without calls are absent).</summary>
    public IReadOnlyDictionary<string, int> CallCounts() =>
        calls.Snapshot().GroupBy(c => c.Backend, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Waits until <paramref name="condition"/> holds over all calls received so far.</summary>
    public Task<IReadOnlyList<EchoCall>> WaitForCallsAsync(Func<IReadOnlyList<EchoCall>, bool> condition, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        calls.WaitAsync(condition, timeout ?? DefaultTimeout, "backend calls", cancellationToken);

    /// <summary>Replaces a backend's behaviour (its failCount starts again); returns once servers.js applied it.</summary>
    public Task SetBehaviourAsync(string backend, EchoBehaviour behaviour, TimeSpan? timeout = null) =>
        CommandAsync(backend, new JsonObject { ["name"] = backend, ["behaviour"] = behaviour.ToJson() }, "configured", timeout);

    /// <summary>Shuts a backend down (its port refuses connections from then on); returns once it is down.</summary>
    public Task StopBackendAsync(string backend, TimeSpan? timeout = null) =>
        CommandAsync(backend, new JsonObject { ["name"] = backend, ["stop"] = true }, "stopped", timeout);

    /// <summary>servers.js's stderr and last stdout lines, for assertion messages.</summary>
    public string Describe() => process.Describe();

    public async ValueTask DisposeAsync()
    {
        await process.DisposeAsync();
        commands.Dispose();
    }

    // One command at a time: servers.js acknowledges commands in order, so the first acknowledgement
    // (or error) after the command was sent is this command's.
    private async Task CommandAsync(string backend, JsonObject command, string acknowledgement, TimeSpan? timeout)
    {
        _ = Port(backend);
        await commands.WaitAsync();
        try
        {
            var from = process.Events.Count;
            await process.SendAsync(command.ToJsonString());
            var answer = await process.Events.WaitForItemAsync(
                e => EventJson.Is(e, acknowledgement, backend) || EventJson.Is(e, "error"), from, timeout ?? DefaultTimeout, $"servers.js to acknowledge {command.ToJsonString()}");
            if (EventJson.Is(answer, "error"))
            {
                throw new InteropException($"servers.js rejected {command.ToJsonString()}: {EventJson.Message(answer)}");
            }
        }
        finally
        {
            commands.Release();
        }
    }
}
