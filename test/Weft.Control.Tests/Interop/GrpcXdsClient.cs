using System.Text.Json;

namespace Weft.Control.Tests.Interop;

/// <summary>
/// Runs client.js: gRPC's own xDS client (npm @grpc/grpc-js-xds) calling Echo through a control plane
/// named by an <see cref="XdsBootstrap"/>, or (<see cref="Direct"/>) plain grpc-js calling a backend
/// without xDS, which is how the harness tests itself. Each run is its own node process, so each run
/// is a fresh xDS client with its own ADS stream. Skips the calling test when node or the npm packages
/// are missing.
/// </summary>
public sealed class GrpcXdsClient
{
    /// <summary>
    /// Beyond the run's own MaxDuration: node's start-up and the final report. Loading @grpc/grpc-js-xds
    /// costs about 1.5 s of CPU, which on a loaded machine has taken over 20 s.
    /// </summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    public GrpcXdsClient(XdsBootstrap bootstrap) => Bootstrap = bootstrap;

    private GrpcXdsClient()
    {
    }

    /// <summary>A client without xDS: targets are plain <c>127.0.0.1:PORT</c>.</summary>
    public static GrpcXdsClient Direct { get; } = new();

    /// <summary>Null for the direct client.</summary>
    public XdsBootstrap? Bootstrap { get; }

    /// <summary>GRPC_TRACE for the node process (e.g. <c>xds_client,xds_resolver</c>, or <c>all</c>); off by default. Traces go to stderr, which failure messages include.</summary>
    public string? Trace { get; init; }

    /// <summary><c>xds:///HOST:PORT</c>: the client asks the control plane for a Listener named <c>HOST:PORT</c>.</summary>
    public static string XdsTarget(string host, int port) => $"xds:///{host}:{port}";

    /// <summary>Makes <see cref="ClientRun.Calls"/> calls and reports; throws (with node's stderr) if client.js fails to run.</summary>
    public async Task<ClientReport> RunAsync(ClientRun run, CancellationToken cancellationToken = default)
    {
        await using var process = Start(run, "count", null);
        var end = await process.Events.WaitForItemAsync(IsEnd, 0, run.MaxDuration + Grace, "client.js to finish its calls", cancellationToken);
        await ThrowIfErrorAsync(end, process);
        return ClientReport.FromEvents(process.Events.Snapshot(), process.Describe());
    }

    /// <summary>Starts calling until stopped; returns once client.js has accepted its configuration.</summary>
    public async Task<ClientStream> StartStreamAsync(ClientRun run, CancellationToken cancellationToken = default)
    {
        NodeProcess? started = null;
        var results = new Observed<CallResult>(() => started?.Describe() ?? "");
        var process = started = Start(run, "stream", e =>
        {
            if (EventJson.Is(e, "result"))
            {
                results.Add(CallResult.FromJson(e));
            }
        });
        _ = process.Ended.ContinueWith(_ => results.End("client.js ended"), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        try
        {
            var first = await process.Events.WaitForItemAsync(e => EventJson.Is(e, "start") || IsEnd(e), 0, Grace, "client.js to start", cancellationToken);
            await ThrowIfErrorAsync(first, process);
            return new ClientStream(process, results, run.Drain + Grace);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private static bool IsEnd(JsonElement e) => EventJson.Is(e, "done") || EventJson.Is(e, "error");

    private static async Task ThrowIfErrorAsync(JsonElement e, NodeProcess process)
    {
        if (!EventJson.Is(e, "error"))
        {
            return;
        }

        // client.js exits right after an error line; waiting for that puts its exit code and all of
        // its stderr into the message.
        try
        {
            await process.Ended.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // Describe what there is.
        }

        throw new InteropException($"client.js failed: {EventJson.Message(e)}\n{process.Describe()}");
    }

    private NodeProcess Start(ClientRun run, string mode, Action<JsonElement>? onEvent)
    {
        var node = NodeInterop.Require();
        var environment = new Dictionary<string, string>();
        if (Bootstrap is not null)
        {
            environment["GRPC_XDS_BOOTSTRAP_CONFIG"] = Bootstrap.ToJson();
        }

        if (!string.IsNullOrEmpty(Trace))
        {
            environment["GRPC_TRACE"] = Trace;
            environment["GRPC_VERBOSITY"] = "DEBUG";
        }

        return NodeProcess.Start(node, "client.js", run.ToJson(mode, direct: Bootstrap is null), environment, onEvent);
    }
}
