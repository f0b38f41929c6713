using Grpc.Core;
using Weft.Xds;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Control.Tests.Interop;

/// <summary>
/// client.js and its C# handle tested without a control plane: stream mode, the hard caps, error
/// reporting, and (through a listener that only records the first request) the bootstrap the xDS
/// client really uses.
/// </summary>
public sealed class GrpcXdsClientTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task A_stream_follows_a_backend_that_starts_failing_and_reports_when_stopped()
    {
        await using var servers = await EchoServers.StartAsync([new EchoBackend("v1")]);
        await using var stream = await GrpcXdsClient.Direct.StartStreamAsync(new ClientRun { Target = servers.Address("v1"), Interval = TimeSpan.FromMilliseconds(10) });

        await stream.WaitForResultsAsync(r => r.Count(x => x.Ok) >= 5, Wait);
        var mark = stream.Count;
        await servers.SetBehaviourAsync("v1", EchoBehaviour.Fail(StatusCode.Unavailable));
        await stream.WaitForResultsAsync(r => r.Skip(mark).Count(x => x.Code == StatusCode.Unavailable) >= 3, Wait);
        var report = await stream.StopAsync();

        Assert.Equal("stdin", report.StoppedBy);
        Assert.Equal(report.Started, report.Finished);
        Assert.Equal(report.Finished, report.Results.Count);
        Assert.Equal(report.Ok + report.Failed, report.Finished);
        Assert.True(report.Results.Count >= stream.Count, report.ToString());
        Assert.Equal(report.Results.Count, report.CountOf("v1"));
        Assert.Equal(report.Results.Count(r => r.Code == StatusCode.Unavailable), report.CountOf(StatusCode.Unavailable));
        // Once failing, v1 stays failing: no OK result after the first failure.
        var firstFailure = report.Results.First(r => !r.Ok).Index;
        Assert.DoesNotContain(report.Results, r => r.Ok && r.Index > firstFailure);
    }

    [SkippableFact]
    public async Task ReadAllAsync_yields_every_result_in_order_until_the_client_ends()
    {
        await using var servers = await EchoServers.StartAsync([new EchoBackend("a")]);
        await using var stream = await GrpcXdsClient.Direct.StartStreamAsync(new ClientRun { Target = servers.Address("a"), MaxCalls = 4, Interval = TimeSpan.FromMilliseconds(5) });

        var seen = new List<CallResult>();
        await foreach (var result in stream.ReadAllAsync().WithCancellation(new CancellationTokenSource(Wait).Token))
        {
            seen.Add(result);
        }

        // MaxCalls ended the stream by itself; with one call in flight at a time results come in index order.
        Assert.Equal([0, 1, 2, 3], seen.Select(r => r.Index));
        Assert.All(seen, r => Assert.Equal("a", r.Backend));
        Assert.Equal("maxCalls", (await stream.StopAsync()).StoppedBy);
    }

    [SkippableFact]
    public async Task Concurrency_bounds_the_calls_in_flight_and_MaxDuration_ends_a_run_that_cannot_finish()
    {
        await using var servers = await EchoServers.StartAsync([new EchoBackend("stuck") { Behaviour = EchoBehaviour.Delayed(TimeSpan.FromMinutes(5)) }]);

        var report = await GrpcXdsClient.Direct.RunAsync(new ClientRun
        {
            Target = servers.Address("stuck"),
            Calls = 10,
            Concurrency = 3,
            // Long enough for the three calls to reach the backend even on a loaded machine.
            MaxDuration = TimeSpan.FromSeconds(8),
        });

        Assert.Equal("maxDuration", report.StoppedBy);
        Assert.Equal(3, report.Started);
        Assert.Equal(3, report.CountOf(StatusCode.Cancelled));
        var calls = await servers.WaitForCallsAsync(c => c.Count >= 3, Wait);
        Assert.Equal(3, calls.Count);
    }

    [SkippableFact]
    public async Task Setup_errors_of_client_js_surface_as_InteropException_with_the_reason()
    {
        var error = await Assert.ThrowsAsync<InteropException>(() => GrpcXdsClient.Direct.RunAsync(new ClientRun { Target = "xds:///echo:80" }));
        Assert.Contains("plain host:port", error.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code 2", error.Message, StringComparison.Ordinal);

        var viaStream = await Assert.ThrowsAsync<InteropException>(() => GrpcXdsClient.Direct.StartStreamAsync(new ClientRun { Target = "127.0.0.1:1", Concurrency = 0 }));
        Assert.Contains("concurrency must be an integer", viaStream.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_bootstrap_reaches_the_xds_server_as_the_node_of_the_first_discovery_request()
    {
        using var capture = new FirstGrpcMessageCapture();
        var nodeId = XdsBootstrap.SidecarNodeId("client", "team-a");
        var client = new GrpcXdsClient(new XdsBootstrap(capture.Port, nodeId, "team-a") { Metadata = new Dictionary<string, string> { ["CLUSTER_ID"] = "Kubernetes" } })
        {
            Trace = "xds_client",
        };
        var firstMessage = capture.ReadFirstMessageAsync(Wait);
        await using var stream = await client.StartStreamAsync(new ClientRun
        {
            Target = GrpcXdsClient.XdsTarget("echo.team-a.svc.cluster.local", 7070),
            Drain = TimeSpan.Zero,
        });

        var request = DiscoveryRequest.Parser.ParseFrom(await firstMessage);
        var report = await stream.StopAsync();

        Assert.Equal(TypeUrls.Listener, request.TypeUrl);
        Assert.Equal(["echo.team-a.svc.cluster.local:7070"], request.ResourceNames);
        Assert.Equal(nodeId, request.Node.Id);
        Assert.Equal("grpc", request.Node.Metadata.Fields["GENERATOR"].StringValue);
        Assert.Equal("team-a", request.Node.Metadata.Fields["NAMESPACE"].StringValue);
        Assert.Equal("Kubernetes", request.Node.Metadata.Fields["CLUSTER_ID"].StringValue);
        Assert.Equal("gRPC Node Pure JS", request.Node.UserAgentName);
        Assert.Contains("envoy.lb.does_not_support_overprovisioning", request.Node.ClientFeatures);
        // Nothing answered, so no call could finish; stopping cancelled them. The trace went to stderr.
        Assert.Equal(0, report.Ok);
        Assert.Contains("xds_client", report.Diagnostics, StringComparison.Ordinal);
    }
}
