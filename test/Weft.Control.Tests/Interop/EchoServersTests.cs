using Grpc.Core;

namespace Weft.Control.Tests.Interop;

/// <summary>
/// The harness tested without a control plane: a direct (no xDS) client.js calls servers.js's
/// backends, so what the interop tests will read (which backend answered, its attempt count, the
/// scripted failures and delays) is known to be right.
/// </summary>
public sealed class EchoServersTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task Calls_land_on_the_backend_called_and_carry_the_headers_sent()
    {
        await using var servers = await EchoServers.StartAsync([new EchoBackend("a"), new EchoBackend("b")]);
        Assert.NotEqual(servers.Port("a"), servers.Port("b"));

        var toA = await Run(servers.Address("a"), calls: 3, metadata: new Dictionary<string, string> { ["x-user"] = "user-{i%2}", ["X-Fixed"] = "yes" });
        var toB = await Run(servers.Address("b"), calls: 2);

        Assert.True(toA.Results.All(r => r is { Ok: true, Backend: "a", Attempt: 1, ClientAttempts: 1 }), toA.ToString());
        Assert.Equal(new Dictionary<string, int> { ["a"] = 3 }, toA.ByBackend);
        Assert.Equal(new Dictionary<StatusCode, int> { [StatusCode.OK] = 3 }, toA.ByCode);
        Assert.Equal(2, toB.CountOf("b"));

        var calls = await servers.WaitForCallsAsync(c => c.Count == 5, Wait);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 3, ["b"] = 2 }, servers.CallCounts());
        var atA = calls.Where(c => c.Backend == "a").ToList();
        Assert.Equal(["user-0", "user-1", "user-0"], atA.Select(c => c.Metadata["x-user"]));
        Assert.All(atA, c => Assert.Equal("yes", c.Metadata["x-fixed"]));
        Assert.Equal(toA.Results.Select(r => r.CallId).Order(), atA.Select(c => c.CallId!).Order());
        Assert.Equal([1, 2, 3], atA.Select(c => c.Seq));
    }

    [SkippableFact]
    public async Task FailFirst_fails_that_many_calls_then_answers_and_failures_name_the_backend()
    {
        await using var servers = await EchoServers.StartAsync([new EchoBackend("b") { Behaviour = EchoBehaviour.FailFirst(2, StatusCode.Unavailable) }]);

        var report = await Run(servers.Address("b"), calls: 4);

        Assert.Equal([StatusCode.Unavailable, StatusCode.Unavailable, StatusCode.OK, StatusCode.OK], report.Results.OrderBy(r => r.Index).Select(r => r.Code));
        Assert.All(report.Results, r => Assert.Equal("b", r.Backend));
        Assert.Contains("backend b fails on purpose", report.Results[0].Details, StringComparison.Ordinal);
        Assert.Equal(2, report.CountOf(StatusCode.Unavailable));
        Assert.Equal(4, report.CountOf("b"));
    }

    [SkippableFact]
    public async Task Attempts_of_one_call_are_counted_by_the_backend_and_by_the_client()
    {
        await using var servers = await EchoServers.StartAsync([new EchoBackend("r") { Behaviour = EchoBehaviour.FailFirstAttempts(2, StatusCode.Unavailable) }]);

        var retried = await Run(servers.Address("r"), calls: 2, serviceConfig: RetryOnUnavailable(maxAttempts: 3));
        var exhausted = await Run(servers.Address("r"), calls: 1, serviceConfig: RetryOnUnavailable(maxAttempts: 2));

        Assert.All(retried.Results, r => Assert.True(r is { Ok: true, Backend: "r", Attempt: 3, ClientAttempts: 3 }, r.ToString()));
        Assert.True(exhausted.Results.Single() is { Code: StatusCode.Unavailable, Attempt: 2, ClientAttempts: 2 }, exhausted.ToString());
        var calls = await servers.WaitForCallsAsync(c => c.Count == 8, Wait);
        var first = calls.Where(c => c.CallId == retried.Results[0].CallId).ToList();
        Assert.Equal([1, 2, 3], first.Select(c => c.Attempt));
        Assert.Equal([StatusCode.Unavailable, StatusCode.Unavailable, StatusCode.OK], first.Select(c => c.Code));
        Assert.False(first[0].Metadata.ContainsKey("grpc-previous-rpc-attempts"));
        Assert.Equal("2", first[2].Metadata["grpc-previous-rpc-attempts"]);
    }

    [SkippableFact]
    public async Task A_delayed_backend_answers_late_and_one_delayed_past_the_deadline_fails_the_call()
    {
        await using var servers = await EchoServers.StartAsync(
        [
            new EchoBackend("slow") { Behaviour = EchoBehaviour.Delayed(TimeSpan.FromMilliseconds(300)) },
            new EchoBackend("stuck") { Behaviour = EchoBehaviour.Delayed(TimeSpan.FromSeconds(30)) },
        ]);

        var patient = await Run(servers.Address("slow"), calls: 1);
        var hurried = await Run(servers.Address("stuck"), calls: 1, deadline: TimeSpan.FromSeconds(1));

        Assert.True(patient.Results.Single() is { Ok: true, Backend: "slow", ElapsedMs: >= 300 }, patient.ToString());
        Assert.True(hurried.Results.Single() is { Code: StatusCode.DeadlineExceeded, Backend: null }, hurried.ToString());
        // The call reached the backend and was held there: the deadline, not a slow connection, ended it.
        await servers.WaitForCallsAsync(c => c.Any(call => call.Backend == "stuck" && call.CallId == hurried.Results[0].CallId), Wait);
    }

    [SkippableFact]
    public async Task A_backend_reconfigured_at_runtime_changes_how_it_answers()
    {
        await using var servers = await EchoServers.StartAsync([new EchoBackend("v1")]);

        var before = await Run(servers.Address("v1"), calls: 2);
        await servers.SetBehaviourAsync("v1", EchoBehaviour.Fail(StatusCode.Internal) with { FailMessage = "v1 is broken" });
        var broken = await Run(servers.Address("v1"), calls: 2);
        await servers.SetBehaviourAsync("v1", EchoBehaviour.FailFirst(1, StatusCode.ResourceExhausted));
        var recovering = await Run(servers.Address("v1"), calls: 2);

        Assert.Equal(2, before.Ok);
        Assert.All(broken.Results, r => Assert.True(r is { Code: StatusCode.Internal, Details: "v1 is broken", Backend: "v1" }, r.ToString()));
        // failCount counts from the reconfiguration, not from the backend's start.
        Assert.Equal([StatusCode.ResourceExhausted, StatusCode.OK], recovering.Results.OrderBy(r => r.Index).Select(r => r.Code));
    }

    [SkippableFact]
    public async Task A_stopped_backend_refuses_calls_while_the_others_answer()
    {
        await using var servers = await EchoServers.StartAsync([new EchoBackend("gone"), new EchoBackend("stays")]);

        await servers.StopBackendAsync("gone");
        var toGone = await Run(servers.Address("gone"), calls: 1);
        var toStays = await Run(servers.Address("stays"), calls: 1);

        Assert.True(toGone.Results.Single() is { Code: StatusCode.Unavailable, Backend: null }, toGone.ToString());
        Assert.Equal(1, toStays.Ok);
        Assert.Equal(0, servers.CallCount("gone"));
    }

    [SkippableFact]
    public async Task Bad_configuration_and_commands_are_reported_with_servers_js_reason()
    {
        var duplicate = await Assert.ThrowsAsync<InteropException>(() => EchoServers.StartAsync([new EchoBackend("x"), new EchoBackend("x")]));
        Assert.Contains("duplicate name x", duplicate.Message, StringComparison.Ordinal);

        await using var servers = await EchoServers.StartAsync([new EchoBackend("a")]);
        var rejected = await Assert.ThrowsAsync<InteropException>(() => servers.SetBehaviourAsync("a", new EchoBehaviour { FailCount = 1 }));
        Assert.Contains("failCount and failAttempts need failStatus", rejected.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => servers.Port("nope"));

        // The rejected command left the backend as it was.
        Assert.Equal(1, (await Run(servers.Address("a"), calls: 1)).Ok);
    }

    [SkippableFact]
    public async Task Disposing_the_servers_ends_the_node_process_and_frees_its_ports()
    {
        string address;
        await using (var servers = await EchoServers.StartAsync([new EchoBackend("a")]))
        {
            address = servers.Address("a");
            Assert.Equal(1, (await Run(address, calls: 1)).Ok);
        }

        var after = await Run(address, calls: 1);
        Assert.True(after.Results.Single() is { Code: StatusCode.Unavailable, Backend: null }, after.ToString());
    }

    internal static string RetryOnUnavailable(int maxAttempts) =>
        $$$"""
        {"methodConfig":[{"name":[{"service":"weft.interop.Echo"}],"retryPolicy":{"maxAttempts":{{{maxAttempts}}},"initialBackoff":"0.01s","maxBackoff":"0.05s","backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}}]}
        """;

    private static Task<ClientReport> Run(string address, int calls, IReadOnlyDictionary<string, string>? metadata = null, TimeSpan? deadline = null, string? serviceConfig = null) =>
        GrpcXdsClient.Direct.RunAsync(new ClientRun
        {
            Target = address,
            Calls = calls,
            Metadata = metadata ?? new Dictionary<string, string>(),
            Deadline = deadline,
            ServiceConfigJson = serviceConfig,
            MaxDuration = TimeSpan.FromSeconds(30),
        });
}
