using System.Diagnostics;
using Grpc.Core;
using Xunit.Abstractions;

namespace Weft.Control.Tests.Interop.Scenarios;

/// <summary>
/// gRPC's own xDS client (npm <c>@grpc/grpc-js-xds</c>, unmodified) against <c>weft control</c> over real sockets: each test
/// writes Istio YAML, makes real calls to real backends and asserts what Istio's documentation says the caller sees.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class ProxylessInteropTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly string[] Versions = ["v1", "v2"];

    private static EchoBackend[] Backends(params EchoBackend[] backends) => backends.Length > 0 ? backends : [new("v1"), new("v2")];

    private static string Split(int v1, int v2) => EchoMesh.Routes($$$$"""
        - route:
          - {destination: {host: {{{{EchoMesh.Host}}}}, subset: v1}, weight: {{{{v1}}}}}
          - {destination: {host: {{{{EchoMesh.Host}}}}, subset: v2}, weight: {{{{v2}}}}}
        """);

    [SkippableFact]
    public async Task A_90_10_split_sends_90_percent_to_v1_within_3_points_over_2000_calls()
    {
        await using var mesh = await EchoMesh.StartAsync(Backends(), EchoMesh.Subsets(Versions), Split(90, 10));
        var report = await mesh.Client.RunAsync(new ClientRun { Target = EchoMesh.Target, Calls = 2000, Concurrency = 20, MaxDuration = Wait });

        Assert.True(report.Ok == 2000, report.ToString());
        var share = report.CountOf("v1") / 2000.0;
        output.WriteLine($"v1 {report.CountOf("v1")}, v2 {report.CountOf("v2")} ({share:P1} to v1)");
        Assert.InRange(share, 0.87, 0.93);
    }

    [SkippableFact]
    public async Task A_header_match_routes_testers_to_v2_and_everyone_else_to_v1()
    {
        var routes = EchoMesh.Routes($$$$"""
            - name: testers
              match: [{headers: {x-canary: {exact: always}}}]
              route: [{destination: {host: {{{{EchoMesh.Host}}}}, subset: v2}}]
            - name: everyone
              route: [{destination: {host: {{{{EchoMesh.Host}}}}, subset: v1}}]
            """);
        await using var mesh = await EchoMesh.StartAsync(Backends(), EchoMesh.Subsets(Versions), routes);

        var testers = await mesh.Client.RunAsync(new ClientRun { Target = EchoMesh.Target, Calls = 50, Concurrency = 5, Metadata = new Dictionary<string, string> { ["x-canary"] = "always" } });
        var others = await mesh.Client.RunAsync(new ClientRun { Target = EchoMesh.Target, Calls = 50, Concurrency = 5, Metadata = new Dictionary<string, string> { ["x-canary"] = "sometimes" } });

        Assert.True(testers.CountOf("v2") == 50, testers.ToString());
        Assert.True(others.CountOf("v1") == 50, others.ToString());
    }

    [SkippableFact]
    public async Task A_fault_abort_fails_calls_with_the_grpc_status_and_never_reaches_the_backend()
    {
        var routes = EchoMesh.Routes($$$$"""
            - fault: {abort: {grpcStatus: UNAVAILABLE, percentage: {value: 100}}}
              route: [{destination: {host: {{{{EchoMesh.Host}}}}, subset: v1}}]
            """);
        await using var mesh = await EchoMesh.StartAsync(Backends(), EchoMesh.Subsets(Versions), routes);
        var report = await mesh.Client.RunAsync(new ClientRun { Target = EchoMesh.Target, Calls = 20, Concurrency = 4 });

        Assert.True(report.CountOf(StatusCode.Unavailable) == 20, report.ToString());
        Assert.Equal(0, mesh.Servers.CallCount("v1"));
    }

    [SkippableFact]
    public async Task A_half_percentage_abort_fails_about_half_the_calls()
    {
        var routes = EchoMesh.Routes($$$$"""
            - fault: {abort: {httpStatus: 503, percentage: {value: 50}}}
              route: [{destination: {host: {{{{EchoMesh.Host}}}}, subset: v1}}]
            """);
        await using var mesh = await EchoMesh.StartAsync(Backends(), EchoMesh.Subsets(Versions), routes);
        var report = await mesh.Client.RunAsync(new ClientRun { Target = EchoMesh.Target, Calls = 400, Concurrency = 10 });

        // HTTP 503 maps to gRPC UNAVAILABLE; faults are never retried.
        output.WriteLine(report.ToString());
        Assert.InRange(report.CountOf(StatusCode.Unavailable), 140, 260);
        Assert.Equal(400 - report.CountOf(StatusCode.Unavailable), report.CountOf("v1"));
    }

    [SkippableFact]
    public async Task A_fault_delay_holds_every_call_for_the_fixed_delay()
    {
        var routes = EchoMesh.Routes($$$$"""
            - fault: {delay: {fixedDelay: 400ms, percentage: {value: 100}}}
              route: [{destination: {host: {{{{EchoMesh.Host}}}}, subset: v1}}]
            """);
        await using var mesh = await EchoMesh.StartAsync(Backends(), EchoMesh.Subsets(Versions), routes);
        var report = await mesh.Client.RunAsync(new ClientRun { Target = EchoMesh.Target, Calls = 10, Concurrency = 5 });

        Assert.True(report.Ok == 10, report.ToString());
        Assert.All(report.Results, r => Assert.True(r.ElapsedMs >= 390, $"call {r.Index} took {r.ElapsedMs} ms"));
    }

    [SkippableFact]
    public async Task Retries_on_unavailable_make_calls_succeed_on_the_third_attempt()
    {
        var routes = EchoMesh.Routes($$$$"""
            - retries: {attempts: 3, retryOn: unavailable}
              route: [{destination: {host: {{{{EchoMesh.Host}}}}, subset: v1}}]
            """);
        await using var mesh = await EchoMesh.StartAsync(Backends(new EchoBackend("v1") { Behaviour = EchoBehaviour.FailFirstAttempts(2, StatusCode.Unavailable) }, new EchoBackend("v2")), EchoMesh.Subsets(Versions), routes);
        var report = await mesh.Client.RunAsync(new ClientRun { Target = EchoMesh.Target, Calls = 10, Concurrency = 2 });

        Assert.True(report.Ok == 10, report.ToString());
        Assert.All(report.Results, r => Assert.Equal(3, r.Attempt));
    }

    [SkippableFact]
    public async Task No_retries_when_attempts_is_zero()
    {
        var routes = EchoMesh.Routes($$$$"""
            - retries: {attempts: 0}
              route: [{destination: {host: {{{{EchoMesh.Host}}}}, subset: v1}}]
            """);
        await using var mesh = await EchoMesh.StartAsync(Backends(new EchoBackend("v1") { Behaviour = EchoBehaviour.FailFirstAttempts(1, StatusCode.Unavailable) }, new EchoBackend("v2")), EchoMesh.Subsets(Versions), routes);
        var report = await mesh.Client.RunAsync(new ClientRun { Target = EchoMesh.Target, Calls = 10, Concurrency = 2 });

        Assert.True(report.CountOf(StatusCode.Unavailable) == 10, report.ToString());
        Assert.All(mesh.Servers.Calls, c => Assert.Equal(1, c.Attempt));
    }

    [SkippableFact]
    public async Task A_route_timeout_ends_slow_calls_with_deadline_exceeded()
    {
        var routes = EchoMesh.Routes($$$$"""
            - timeout: 300ms
              route: [{destination: {host: {{{{EchoMesh.Host}}}}, subset: v1}}]
            """);
        await using var mesh = await EchoMesh.StartAsync(Backends(new EchoBackend("v1") { Behaviour = EchoBehaviour.Delayed(TimeSpan.FromSeconds(3)) }, new EchoBackend("v2")), EchoMesh.Subsets(Versions), routes);
        var report = await mesh.Client.RunAsync(new ClientRun { Target = EchoMesh.Target, Calls = 4, Concurrency = 4 });

        Assert.True(report.CountOf(StatusCode.DeadlineExceeded) == 4, report.ToString());
        Assert.All(report.Results, r => Assert.True(r.ElapsedMs < 2500, $"call {r.Index} took {r.ElapsedMs} ms: the route timeout did not apply"));
    }

    [SkippableFact]
    public async Task Circuit_breaking_drops_calls_beyond_http2MaxRequests()
    {
        var policy = "trafficPolicy: {connectionPool: {http: {http2MaxRequests: 1}}}";
        await using var mesh = await EchoMesh.StartAsync(
            Backends(new EchoBackend("v1") { Behaviour = EchoBehaviour.Delayed(TimeSpan.FromMilliseconds(500)) }, new EchoBackend("v2")),
            EchoMesh.Subsets(Versions, policy),
            EchoMesh.Routes($"- route: [{{destination: {{host: {EchoMesh.Host}, subset: v1}}}}]"));
        // gRPC counts a call once it has started, so the first burst (picked together while connecting) can all pass;
        // every call picked while another is in flight is dropped.
        var report = await mesh.Client.RunAsync(new ClientRun { Target = EchoMesh.Target, Calls = 40, Concurrency = 8 });

        output.WriteLine(report.ToString());
        Assert.True(report.Ok >= 1, report.ToString());
        var dropped = report.Results.Where(r => r.Code == StatusCode.Unavailable).ToList();
        Assert.True(dropped.Count >= 10, report.ToString());
        Assert.All(dropped, r => Assert.Contains("dropped", r.Details, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(report.Ok, mesh.Servers.CallCount("v1"));
    }

    [SkippableFact]
    public async Task Outlier_detection_ejects_a_failing_backend()
    {
        var policy = "trafficPolicy: {outlierDetection: {consecutive5xxErrors: 2, interval: 1s, baseEjectionTime: 60s, maxEjectionPercent: 100}}";
        var routes = EchoMesh.Routes($"- route: [{{destination: {{host: {EchoMesh.Host}}}}}]");
        await using var mesh = await EchoMesh.StartAsync(
            Backends(new EchoBackend("v1") { Behaviour = EchoBehaviour.Fail(StatusCode.Internal) }, new EchoBackend("v2")),
            EchoMesh.Subsets(Versions, policy),
            routes);
        await using var stream = await mesh.Client.StartStreamAsync(new ClientRun { Target = EchoMesh.Target, Interval = TimeSpan.FromMilliseconds(20), MaxDuration = Wait });

        // Round robin alternates at first; once v1 is ejected every call lands on v2.
        await stream.WaitForResultsAsync(r => r.Any(x => x.Backend == "v1"), Wait);
        var ejected = await stream.WaitForResultsAsync(r => r.Count >= 30 && r.TakeLast(30).All(x => x.Ok && x.Backend == "v2"), Wait);
        output.WriteLine($"ejected after {ejected.Count - 30} calls");
        await stream.StopAsync();
    }

    [SkippableFact]
    public async Task Ring_hash_by_header_keeps_each_key_on_one_backend()
    {
        var policy = "trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}";
        var routes = EchoMesh.Routes($"- route: [{{destination: {{host: {EchoMesh.Host}}}}}]");
        await using var mesh = await EchoMesh.StartAsync(Backends(new EchoBackend("v1"), new EchoBackend("v2"), new EchoBackend("v3")), EchoMesh.Subsets(["v1", "v2", "v3"], policy), routes);
        var report = await mesh.Client.RunAsync(new ClientRun
        {
            Target = EchoMesh.Target,
            Calls = 240,
            Concurrency = 8,
            Metadata = new Dictionary<string, string> { ["x-user"] = "user-{i%12}" },
        });

        Assert.True(report.Ok == 240, report.ToString());
        var byKey = report.Results.GroupBy(r => r.Index % 12).ToDictionary(g => g.Key, g => g.Select(r => r.Backend).Distinct().ToArray());
        Assert.All(byKey, kv => Assert.True(kv.Value.Length == 1, $"user-{kv.Key} reached {string.Join(", ", kv.Value)}"));
        Assert.True(byKey.Values.Select(v => v[0]).Distinct().Count() >= 2, "every key hashed to the same backend");
    }

    [SkippableFact]
    public async Task A_running_client_follows_a_weight_change_without_restarting()
    {
        await using var mesh = await EchoMesh.StartAsync(Backends(), EchoMesh.Subsets(Versions), Split(100, 0));
        await using var stream = await mesh.Client.StartStreamAsync(new ClientRun { Target = EchoMesh.Target, Interval = TimeSpan.FromMilliseconds(10), MaxDuration = Wait });
        await stream.WaitForResultsAsync(r => r.Count(x => x.Backend == "v1") >= 20, Wait);

        var mark = stream.Count;
        var clock = Stopwatch.StartNew();
        await mesh.Control.ChangeAsync(d => d.Write("virtual-service.yaml", Split(0, 100)));
        var moved = await stream.WaitForResultsAsync(r => r.Skip(mark).Count(x => x.Backend == "v2") >= 20, Wait);
        var firstV2 = moved.Skip(mark).First(x => x.Backend == "v2");
        output.WriteLine($"first call on v2 {clock.ElapsedMilliseconds} ms after the edit was observed");

        var after = moved.SkipWhile(x => x.Index < firstV2.Index).ToList();
        Assert.All(after, r => Assert.Equal("v2", r.Backend));
        Assert.All(moved, r => Assert.True(r.Ok, $"call {r.Index} failed with {r.Code}: {r.Details}"));
        await stream.StopAsync();
    }
}
