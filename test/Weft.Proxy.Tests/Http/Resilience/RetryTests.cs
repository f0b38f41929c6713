using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Retry.Host.PreviousHosts.V3;
using Weft.Xds.Envoy.Extensions.Retry.Priority.PreviousPriorities.V3;
using static Weft.Proxy.Tests.Support.ResilienceMesh;

namespace Weft.Proxy.Tests.Http.Resilience;

/// <summary>
/// Envoy's retries through a real proxy on real sockets: what each attempt carries upstream, what the client finally
/// gets, and the response flags. Random values are fixed at 0 unless a test is about the back-off, so back-offs are
/// zero and no test waits on a clock.
/// </summary>
public sealed class RetryTests
{
    [Fact]
    public async Task Retries_503_until_the_backend_answers_and_the_backend_sees_each_attempt_number()
    {
        var calls = 0;
        await using var backend = await Backend.StartAsync("a", respond: context => Interlocked.Increment(ref calls) <= 2 ? Status(context, 503) : context.Response.WriteAsync("ok"));
        var log = new RequestLog();
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(VirtualHost(attemptCountInResponse: true, Route("/", ToCluster("a", Policy("5xx", 3)))), clusters: ("a", [(backend.Port, 1)])));
        await using var proxy = await Start(plane, log);

        using var response = await proxy.GetAsync(Authority);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal("3", response.Headers.GetValues("x-envoy-attempt-count").Single());
        Assert.Equal(["1", "2", "3"], backend.Requests.Select(r => r.Headers["x-envoy-attempt-count"]));
        Assert.Equal(string.Empty, (await log.NextAsync()).Flags); // a retry that succeeds is no failure
    }

    [Fact]
    public async Task A_route_without_a_policy_takes_its_virtual_hosts_and_one_with_a_policy_its_own()
    {
        var calls = 0;
        await using var backend = await Backend.StartAsync("a", respond: context => Interlocked.Increment(ref calls) % 2 == 1 ? Status(context, 503) : context.Response.WriteAsync("ok"));
        var vhost = VirtualHost(false, Route("/own", ToCluster("a", Policy("retriable-4xx", 1))), Route("/", ToCluster("a")));
        vhost.RetryPolicy = Policy("5xx", 1);
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(vhost, clusters: ("a", [(backend.Port, 1)])));
        await using var proxy = await Start(plane);

        using var inherited = await proxy.GetAsync(Authority, "/inherited");
        Assert.Equal(HttpStatusCode.OK, inherited.StatusCode); // the virtual host's 5xx policy retried the 503
        using var own = await proxy.GetAsync(Authority, "/own");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, own.StatusCode); // the route's policy retries 409 only
        Assert.Equal(["/inherited", "/inherited", "/own"], backend.Requests.Select(r => r.Target));
    }

    [Fact]
    public async Task Gives_the_client_the_last_response_with_URX_when_retries_run_out()
    {
        var calls = 0;
        await using var backend = await Backend.StartAsync("a", respond: context =>
        {
            context.Response.StatusCode = 503;
            return context.Response.WriteAsync("busy " + Interlocked.Increment(ref calls));
        });
        var log = new RequestLog();
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(VirtualHost(attemptCountInResponse: true, Route("/", ToCluster("a", Policy("gateway-error", 2)))), clusters: ("a", [(backend.Port, 1)])));
        await using var proxy = await Start(plane, log);

        using var response = await proxy.GetAsync(Authority);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("busy 3", await response.Content.ReadAsStringAsync());
        Assert.Equal("3", response.Headers.GetValues("x-envoy-attempt-count").Single());
        Assert.Equal(3, backend.Requests.Count);
        Assert.Equal("URX", (await log.NextAsync()).Flags);
    }

    [Fact]
    public async Task A_full_retry_circuit_breaker_passes_the_response_on_unretried_with_UO()
    {
        await using var backend = await Backend.StartAsync("a", respond: context => Status(context, 503));
        var log = new RequestLog();
        var resources = Resources(VirtualHost(attemptCountInResponse: false, Route("/", ToCluster("a", Policy("5xx", 3)))), clusters: ("a", [(backend.Port, 1)]));
        var cluster = resources.OfType<Weft.Xds.Envoy.Config.Cluster.V3.Cluster>().Single();
        cluster.CircuitBreakers = new Weft.Xds.Envoy.Config.Cluster.V3.CircuitBreakers
        {
            Thresholds = { new Weft.Xds.Envoy.Config.Cluster.V3.CircuitBreakers.Types.Thresholds { MaxRetries = 0 } },
        };
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await Start(plane, log);

        using var response = await proxy.GetAsync(Authority);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(backend.Requests);
        Assert.Equal("UO", (await log.NextAsync()).Flags);
    }

    [Fact]
    public async Task A_connect_failure_is_retried_on_a_host_not_tried_before()
    {
        await using var live = await Backend.StartAsync("live");
        var dead = Ports.Refusing();
        var log = new RequestLog();

        // The dead endpoint weighs three times the live one: round robin alone would often pick it twice in a row.
        var policy = Policy("connect-failure", 1);
        policy.RetryHostPredicate.Add(new RetryPolicy.Types.RetryHostPredicate { Name = "envoy.retry_host_predicates.previous_hosts", TypedConfig = Any.Pack(new PreviousHostsPredicate()) });
        policy.HostSelectionRetryMaxAttempts = 5;
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(VirtualHost(false, Route("/", ToCluster("a", policy))), clusters: ("a", [(dead, 3), (live.Port, 1)])));
        await using var proxy = await Start(plane, log);

        for (var i = 0; i < 8; i++)
        {
            using var response = await proxy.GetAsync(Authority);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(string.Empty, (await log.NextAsync()).Flags);
        }

        Assert.Equal(8, live.Requests.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_previous_priorities_the_third_attempt_goes_to_the_next_priority_level(bool previousPriorities)
    {
        await using var local = await Backend.StartAsync("local", respond: context => Status(context, 503));
        await using var remote = await Backend.StartAsync("remote");
        var log = new RequestLog();

        // Istio's retryRemoteLocalities: previous_priorities with an update frequency of 2.
        var policy = Policy("5xx", 2);
        if (previousPriorities)
        {
            policy.RetryPriority = new RetryPolicy.Types.RetryPriority
            {
                Name = "envoy.retry_priorities.previous_priorities",
                TypedConfig = Any.Pack(new PreviousPrioritiesConfig { UpdateFrequency = 2 }),
            };
        }

        var resources = Resources(VirtualHost(false, Route("/", ToCluster("a", policy))), clusters: ("a", [(local.Port, 1)]));
        var failover = Assignment("a", (remote.Port, 1)).Endpoints[0];
        failover.Priority = 1;
        failover.Locality = new Weft.Xds.Envoy.Config.Core.V3.Locality { Zone = "remote" };
        resources.OfType<Weft.Xds.Envoy.Config.Endpoint.V3.ClusterLoadAssignment>().Single().Endpoints.Add(failover);
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await Start(plane, log);

        using var response = await proxy.GetAsync(Authority);
        if (previousPriorities)
        {
            // Two attempts in priority 0, then the level is left out and the last retry fails over.
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("remote", await response.Content.ReadAsStringAsync());
            Assert.Equal(2, local.Requests.Count);
            Assert.Single(remote.Requests);
            Assert.Equal(string.Empty, (await log.NextAsync()).Flags);
        }
        else
        {
            // A healthy priority 0 takes every attempt.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(3, local.Requests.Count);
            Assert.Empty(remote.Requests);
            Assert.Equal("URX", (await log.NextAsync()).Flags);
        }
    }

    [Fact]
    public async Task Without_retries_left_a_connect_failure_answers_503_with_URX_and_UF()
    {
        var log = new RequestLog();
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(VirtualHost(false, Route("/", ToCluster("a", Policy("connect-failure", 1)))), clusters: ("a", [(Ports.Refusing(), 1)])));
        await using var proxy = await Start(plane, log);

        using var response = await proxy.GetAsync(Authority);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.StartsWith("upstream connect error or disconnect/reset before headers. retried and the latest reset reason: connection failure", await response.Content.ReadAsStringAsync());
        Assert.Equal("URX,UF", (await log.NextAsync()).Flags);
    }

    [Fact]
    public async Task Retriable_4xx_retries_409_and_nothing_else()
    {
        var conflicts = 0;
        await using var backend = await Backend.StartAsync("a", respond: context => context.Request.Path == "/conflict"
            ? (Interlocked.Increment(ref conflicts) == 1 ? Status(context, 409) : context.Response.WriteAsync("ok"))
            : Status(context, 404));
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(VirtualHost(false, Route("/", ToCluster("a", Policy("retriable-4xx", 2)))), clusters: ("a", [(backend.Port, 1)])));
        await using var proxy = await Start(plane);

        using var conflict = await proxy.GetAsync(Authority, "/conflict");
        Assert.Equal(HttpStatusCode.OK, conflict.StatusCode);
        using var missing = await proxy.GetAsync(Authority, "/missing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(["/conflict", "/conflict", "/missing"], backend.Requests.Select(r => r.Target));
    }

    [Fact]
    public async Task Retriable_status_codes_retry_the_listed_codes_only()
    {
        var teapots = 0;
        await using var backend = await Backend.StartAsync("a", respond: context => context.Request.Path == "/teapot"
            ? (Interlocked.Increment(ref teapots) == 1 ? Status(context, 418) : context.Response.WriteAsync("ok"))
            : Status(context, 503));
        var policy = Policy("retriable-status-codes", 2);
        policy.RetriableStatusCodes.Add(418);
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(VirtualHost(false, Route("/", ToCluster("a", policy))), clusters: ("a", [(backend.Port, 1)])));
        await using var proxy = await Start(plane);

        using var teapot = await proxy.GetAsync(Authority, "/teapot");
        Assert.Equal(HttpStatusCode.OK, teapot.StatusCode);
        using var unavailable = await proxy.GetAsync(Authority, "/unavailable");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal(["/teapot", "/teapot", "/unavailable"], backend.Requests.Select(r => r.Target));
    }

    [Fact]
    public async Task Grpc_unavailable_in_a_trailers_only_answer_is_retried()
    {
        var calls = 0;
        await using var backend = await Backend.StartAsync("grpc", respond: context =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = Interlocked.Increment(ref calls) == 1 ? "14" : "0";
            return Task.CompletedTask;
        });
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(VirtualHost(false, Route("/", ToCluster("grpc", Policy("unavailable,cancelled", 1)))), clusters: ("grpc", [(backend.Port, 1)])));
        await using var proxy = await Start(plane);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/pkg.Service/Method") { Content = new ByteArrayContent([0, 0, 0, 0, 0]) };
        request.Headers.Host = Authority;
        request.Content.Headers.ContentType = new("application/grpc");
        using var response = await proxy.Client.SendAsync(request);
        Assert.Equal("0", response.Headers.GetValues("grpc-status").Single());
        Assert.Equal(2, backend.Requests.Count);
    }

    [Fact]
    public async Task An_expired_per_try_timeout_is_retried_and_answered_504_with_UT_when_retries_run_out()
    {
        var arrived = new[] { new TaskCompletionSource(), new TaskCompletionSource(), new TaskCompletionSource() };
        var calls = 0;
        await using var backend = await Backend.StartAsync("slow", respond: async context =>
        {
            var n = Interlocked.Increment(ref calls);
            arrived[n - 1].TrySetResult();
            if (context.Request.Path == "/second-answers" && n == 2)
            {
                await context.Response.WriteAsync("second");
                return;
            }

            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        var clock = new WatchedClock();
        var log = new RequestLog();
        var policy = Policy("5xx", 1);
        policy.PerTryTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(1));
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(VirtualHost(false, Route("/", ToCluster("slow", policy))), clusters: ("slow", [(backend.Port, 1)])));
        await using var proxy = await Start(plane, log, clock);

        // The first try hangs past its second; the retry answers.
        var pending = proxy.GetAsync(Authority, "/second-answers");
        await arrived[0].Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("1000", backend.Requests.Single().Headers["x-envoy-expected-rq-timeout-ms"]);
        clock.Advance(TimeSpan.FromSeconds(1));
        using (var response = await pending.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal("second", await response.Content.ReadAsStringAsync());
            Assert.Equal(string.Empty, (await log.NextAsync()).Flags);
        }

        // Both tries hang: 504 once the retry's second is up too.
        calls = 0;
        arrived = [new TaskCompletionSource(), new TaskCompletionSource(), new TaskCompletionSource()];
        pending = proxy.GetAsync(Authority, "/never");
        await arrived[0].Task.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(1));
        await arrived[1].Task.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(1));
        using var timedOut = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        Assert.Equal("upstream request timeout", await timedOut.Content.ReadAsStringAsync());
        Assert.Equal("URX,UT", (await log.NextAsync()).Flags);
    }

    [Fact]
    public async Task Backs_off_on_the_proxys_clock_with_full_jitter_growing_exponentially()
    {
        var calls = 0;
        await using var backend = await Backend.StartAsync("a", respond: context => Interlocked.Increment(ref calls) <= 2 ? Status(context, 503) : context.Response.WriteAsync("ok"));
        var clock = new WatchedClock();
        var policy = Policy("5xx", 2);
        policy.RetryBackOff = new RetryPolicy.Types.RetryBackOff { BaseInterval = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(100)) };
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(VirtualHost(false, Route("/", ToCluster("a", policy))), clusters: ("a", [(backend.Port, 1)])));

        // Every draw is 130: the first back-off is 130 % 100 = 30 ms, the second 130 % 200 = 130 ms.
        await using var proxy = await Start(plane, clock: clock, random: () => 130);
        var pending = proxy.GetAsync(Authority);
        await clock.ArmedAsync(TimeSpan.FromMilliseconds(30));
        Assert.Single(backend.Requests);
        clock.Advance(TimeSpan.FromMilliseconds(30));
        await clock.ArmedAsync(TimeSpan.FromMilliseconds(130));
        Assert.Equal(2, backend.Requests.Count);
        clock.Advance(TimeSpan.FromMilliseconds(130));
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, backend.Requests.Count);
    }

    [Fact]
    public async Task The_route_timeout_bounds_every_attempt_and_back_off_together()
    {
        await using var backend = await Backend.StartAsync("a", respond: context => Status(context, 503));
        var clock = new WatchedClock();
        var log = new RequestLog();
        var policy = Policy("5xx", 5);
        policy.RetryBackOff = new RetryPolicy.Types.RetryBackOff { BaseInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) };
        var action = ToCluster("a", policy);
        action.Timeout = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(1500));
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(VirtualHost(false, Route("/", action)), clusters: ("a", [(backend.Port, 1)])));

        // Every draw is 999: back-offs of 999 ms (of 1 s, then of 2 s).
        await using var proxy = await Start(plane, log, clock, random: () => 999);
        var wait = TimeSpan.FromMilliseconds(999);
        var pending = proxy.GetAsync(Authority);
        await clock.ArmedAsync(wait);
        Assert.Single(backend.Requests);
        clock.Forget(wait);
        clock.Advance(wait);
        await clock.ArmedAsync(wait);
        Assert.Equal(2, backend.Requests.Count);
        Assert.Equal("501", backend.Requests.Last().Headers["x-envoy-expected-rq-timeout-ms"]); // what is left of 1.5 s

        // The route timeout ends the request during the second back-off.
        clock.Advance(TimeSpan.FromMilliseconds(501));
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream request timeout", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, backend.Requests.Count);
        Assert.Equal("UT", (await log.NextAsync()).Flags);
    }

    [Fact]
    public async Task A_POST_body_is_sent_again_identically_on_retry()
    {
        var bodies = new ConcurrentQueue<byte[]>();
        await using var backend = await Backend.StartAsync("a", respond: async context =>
        {
            var body = await ReadAllAsync(context.Request.Body);
            bodies.Enqueue(body);
            if (bodies.Count == 1)
            {
                context.Response.StatusCode = 503;
                return;
            }

            await context.Response.WriteAsync(Convert.ToHexString(SHA256.HashData(body)));
        });
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(VirtualHost(false, Route("/", ToCluster("a", Policy("5xx", 1)))), clusters: ("a", [(backend.Port, 1)])));
        await using var proxy = await Start(plane);

        var payload = RandomNumberGenerator.GetBytes(300_000);
        using var response = await proxy.Client.SendAsync(Post(payload, chunked: true));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(payload)), await response.Content.ReadAsStringAsync());
        Assert.Equal(2, bodies.Count);
        Assert.All(bodies, b => Assert.Equal(payload, b));
    }

    [Fact]
    public async Task A_body_larger_than_the_buffer_limit_is_not_retried()
    {
        await using var backend = await Backend.StartAsync("a", respond: async context =>
        {
            await ReadAllAsync(context.Request.Body);
            context.Response.StatusCode = 503;
        });
        var log = new RequestLog();
        var route = Route("/", ToCluster("a", Policy("5xx", 3)));
        route.RequestBodyBufferLimit = 1024;
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(VirtualHost(false, route), clusters: ("a", [(backend.Port, 1)])));
        await using var proxy = await Start(plane, log);

        using var small = await proxy.Client.SendAsync(Post(new byte[1000], chunked: false));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, small.StatusCode);
        Assert.Equal(4, backend.Requests.Count);
        Assert.Equal("URX", (await log.NextAsync()).Flags);

        using var large = await proxy.Client.SendAsync(Post(new byte[4096], chunked: false));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, large.StatusCode);
        Assert.Equal(5, backend.Requests.Count); // one attempt only, and no URX: the retry was given up with the buffer
        Assert.Equal(string.Empty, (await log.NextAsync()).Flags);
    }

    [Fact]
    public async Task A_response_that_has_started_is_never_retried()
    {
        var release = new TaskCompletionSource();
        var abort = new TaskCompletionSource();
        await using var backend = await Backend.StartAsync("a", respond: async context =>
        {
            await context.Response.WriteAsync("partial");
            await context.Response.Body.FlushAsync();
            if (context.Request.Path == "/reset")
            {
                await abort.Task;
                context.Abort();
                return;
            }

            await release.Task;
            await context.Response.WriteAsync(" and the rest");
        });
        var clock = new WatchedClock();
        var log = new RequestLog();
        var policy = Policy("5xx,reset", 3);
        policy.PerTryTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(1));
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(VirtualHost(false, Route("/", ToCluster("a", policy))), clusters: ("a", [(backend.Port, 1)])));
        await using var proxy = await Start(plane, log, clock);

        // Reset once the client has part of the body: the client sees the failure, and nothing is tried again.
        using (var reset = await proxy.Client.SendAsync(Get("/reset"), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
            var stream = await reset.Content.ReadAsStreamAsync();
            var partial = new byte[7];
            await stream.ReadExactlyAsync(partial);
            Assert.Equal("partial", System.Text.Encoding.ASCII.GetString(partial));
            abort.SetResult();
            var error = await Record.ExceptionAsync(async () => await stream.CopyToAsync(Stream.Null));
            Assert.True(error is IOException or HttpRequestException, $"the rest of the body should fail, not {error?.GetType().Name ?? "succeed"}");
        }

        Assert.Single(backend.Requests);
        Assert.Equal("UC", (await log.NextAsync()).Flags);

        // The per-try timeout no longer applies once the response is under way.
        using var slow = await proxy.Client.SendAsync(Get("/slow"), HttpCompletionOption.ResponseHeadersRead);
        clock.Advance(TimeSpan.FromSeconds(5));
        release.SetResult();
        Assert.Equal("partial and the rest", await slow.Content.ReadAsStringAsync());
        Assert.Equal(2, backend.Requests.Count);
    }

    [Fact]
    public async Task Retry_headers_count_only_on_internal_requests_which_a_sidecar_never_sees()
    {
        var calls = 0;
        await using var backend = await Backend.StartAsync("a", respond: context => Interlocked.Increment(ref calls) % 2 == 1 ? Status(context, 503) : context.Response.WriteAsync("ok"));
        var vhost = VirtualHost(false, Route("/", ToCluster("a")));

        // A sidecar's connection manager does not use the remote address: no request is internal, the headers go.
        await using (var plane = await ScriptedControlPlane.StartAsync(Resources(vhost, clusters: ("a", [(backend.Port, 1)]))))
        await using (var proxy = await Start(plane))
        {
            using var response = await proxy.GetAsync(Authority, "/", ("x-envoy-retry-on", "5xx"), ("x-envoy-max-retries", "1"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var received = Assert.Single(backend.Requests);
            Assert.False(received.Headers.ContainsKey("x-envoy-retry-on"));
            Assert.False(received.Headers.ContainsKey("x-envoy-max-retries"));
        }

        // A gateway's does, and a loopback caller without x-forwarded-for is internal: the headers apply, then go.
        calls = 0;
        backend.Requests.Clear();
        await using (var plane = await ScriptedControlPlane.StartAsync(Resources(vhost, useRemoteAddress: true, clusters: ("a", [(backend.Port, 1)]))))
        await using (var proxy = await Start(plane))
        {
            using var response = await proxy.GetAsync(Authority, "/", ("x-envoy-retry-on", "5xx"), ("x-envoy-max-retries", "1"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, backend.Requests.Count);
            Assert.All(backend.Requests, r => Assert.False(r.Headers.ContainsKey("x-envoy-retry-on")));
            Assert.All(backend.Requests, r => Assert.Equal("true", r.Headers["x-envoy-internal"]));
        }
    }

    [Fact]
    public async Task A_retry_policy_it_cannot_apply_is_refused_and_the_routes_in_force_keep_serving()
    {
        await using var backend = await Backend.StartAsync("a");
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(VirtualHost(false, Route("/", ToCluster("a", Policy("5xx", 1)))), clusters: ("a", [(backend.Port, 1)])));
        await using var proxy = await Start(plane);
        var generation = proxy.Host.State.Current!.Generation;

        var policy = Policy("5xx", 1);
        policy.RetryPriority = new RetryPolicy.Types.RetryPriority { Name = "envoy.retry_priorities.other_priority" };
        var refused = Route("/", ToCluster("a", policy));
        refused.Name = "other-priority";
        var config = (RouteConfiguration)Resources(VirtualHost(false, refused), clusters: ("a", [(backend.Port, 1)])).Single(r => r is RouteConfiguration);
        await plane.SendRawAsync(Weft.Xds.TypeUrls.RouteConfiguration, config);

        var nack = await Eventually(() => plane.Rejections.TryPeek(out var r) ? r : null);
        Assert.Contains("route other-priority: the retry priority envoy.retry_priorities.other_priority is not supported (only envoy.retry_priorities.previous_priorities)", nack.ErrorDetail.Message, StringComparison.Ordinal);
        using var response = await proxy.GetAsync(Authority);
        Assert.Equal("a", await response.Content.ReadAsStringAsync());
        Assert.Equal(generation, proxy.Host.State.Current!.Generation);
    }

    internal static RetryPolicy Policy(string retryOn, uint retries) => new() { RetryOn = retryOn, NumRetries = retries };

    private static Task<RunningProxy> Start(ScriptedControlPlane plane, RequestLog? log = null, TimeProvider? clock = null, Func<ulong>? random = null) =>
        RunningProxy.StartAsync(plane.Address, o => o with
        {
            Random = random ?? (() => 0),
            Time = clock ?? o.Time,
            RequestCompleted = log is null ? null : log.Add,
        });

    private static async Task<T> Eventually<T>(Func<T?> probe)
        where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(10, timeout.Token);
        }
    }

    private static Task Status(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static HttpRequestMessage Get(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = Authority;
        return request;
    }

    private static HttpRequestMessage Post(byte[] payload, bool chunked)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/upload")
        {
            Content = chunked ? new StreamContent(new MemoryStream(payload)) : new ByteArrayContent(payload),
        };
        request.Headers.Host = Authority;
        request.Headers.TransferEncodingChunked = chunked ? true : null;
        return request;
    }

    private static async Task<byte[]> ReadAllAsync(Stream body)
    {
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy);
        return copy.ToArray();
    }
}
