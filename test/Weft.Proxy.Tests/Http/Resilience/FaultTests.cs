using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Common.Fault.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Fault.V3;
using Weft.Xds.Envoy.Type.V3;
using static Weft.Proxy.Tests.Support.ResilienceMesh;

namespace Weft.Proxy.Tests.Http.Resilience;

/// <summary>
/// The fault filter as Istio configures it (an empty filter in the connection manager, the fault as the route's
/// <c>typed_per_filter_config</c>), through a real proxy: aborts answered by the proxy, delays waited on its clock.
/// </summary>
public sealed class FaultTests
{
    [Fact]
    public async Task An_abort_for_every_request_answers_with_its_status_and_FI()
    {
        await using var backend = await Backend.StartAsync("a");
        var log = new RequestLog();
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(backend, Abort(418, 100)));
        await using var proxy = await Start(plane, log);

        using var response = await proxy.GetAsync(Authority);
        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        Assert.Equal("fault filter abort", await response.Content.ReadAsStringAsync());
        Assert.Equal("FI", (await log.NextAsync()).Flags);
        Assert.Empty(backend.Requests);
    }

    [Fact]
    public async Task An_abort_for_no_request_lets_requests_through()
    {
        await using var backend = await Backend.StartAsync("a");
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(backend, Abort(503, 0)));
        await using var proxy = await Start(plane);

        using var response = await proxy.GetAsync(Authority);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a", await response.Content.ReadAsStringAsync());
        Assert.Single(backend.Requests);
    }

    [Fact]
    public async Task A_share_of_aborts_is_judged_on_the_requests_random_value()
    {
        await using var backend = await Backend.StartAsync("a");
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(backend, Abort(503, 25)));
        ulong value = 0;
        await using var proxy = await Start(plane, random: () => value);

        // 25% aborts the requests whose draw modulo 100 is below 25.
        foreach (var (draw, expected) in new[] { (10UL, HttpStatusCode.ServiceUnavailable), (60UL, HttpStatusCode.OK), (124UL, HttpStatusCode.ServiceUnavailable), (125UL, HttpStatusCode.OK) })
        {
            value = draw;
            using var response = await proxy.GetAsync(Authority);
            Assert.Equal(expected, response.StatusCode);
        }

        Assert.Equal(2, backend.Requests.Count);
    }

    [Fact]
    public async Task A_delay_holds_the_request_on_the_proxys_clock_and_flags_DI()
    {
        await using var backend = await Backend.StartAsync("a");
        var clock = new WatchedClock();
        var log = new RequestLog();
        var fault = new HTTPFault { Delay = new FaultDelay { FixedDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(7)), Percentage = Percent(100) } };
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(backend, fault));
        await using var proxy = await Start(plane, log, clock);

        var pending = proxy.GetAsync(Authority);
        await clock.ArmedAsync(TimeSpan.FromSeconds(7));
        Assert.Empty(backend.Requests);
        clock.Advance(TimeSpan.FromSeconds(7));
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("a", await response.Content.ReadAsStringAsync());
        Assert.Single(backend.Requests);
        Assert.Equal("DI", (await log.NextAsync()).Flags);
    }

    [Fact]
    public async Task A_delay_then_an_abort_flags_both()
    {
        await using var backend = await Backend.StartAsync("a");
        var clock = new WatchedClock();
        var log = new RequestLog();
        var fault = Abort(500, 100);
        fault.Delay = new FaultDelay { FixedDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(2)), Percentage = Percent(100) };
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(backend, fault));
        await using var proxy = await Start(plane, log, clock);

        var pending = proxy.GetAsync(Authority);
        await clock.ArmedAsync(TimeSpan.FromSeconds(2));
        clock.Advance(TimeSpan.FromSeconds(2));
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("DI,FI", (await log.NextAsync()).Flags);
        Assert.Empty(backend.Requests);
    }

    [Fact]
    public async Task A_grpc_abort_answers_a_grpc_request_with_its_status_in_grpc_status()
    {
        await using var backend = await Backend.StartAsync("a");
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(backend, new HTTPFault { Abort = new FaultAbort { GrpcStatus = 14, Percentage = Percent(100) } }));
        await using var proxy = await Start(plane);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/pkg.Service/Method") { Content = new ByteArrayContent([0, 0, 0, 0, 0]) };
        request.Headers.Host = Authority;
        request.Content.Headers.ContentType = new("application/grpc");
        using var response = await proxy.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("14", response.Headers.GetValues("grpc-status").Single());
        Assert.Equal("fault filter abort", response.Headers.GetValues("grpc-message").Single());
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(backend.Requests);
    }

    [Fact]
    public async Task Faults_apply_only_to_requests_with_matching_headers_and_a_route_can_turn_the_filter_off()
    {
        await using var backend = await Backend.StartAsync("a");
        var fault = Abort(503, 100);
        fault.Headers.Add(new HeaderMatcher { Name = "x-chaos", ExactMatch = "on" });
        var faulty = Route("/", ToCluster("a"));
        faulty.TypedPerFilterConfig[FaultName] = Any.Pack(fault);

        // The filter's own config aborts everything, but the /safe route disables the filter.
        var safe = Route("/safe", ToCluster("a"));
        safe.TypedPerFilterConfig[FaultName] = Any.Pack(new FilterConfig { Disabled = true });
        var resources = Resources(VirtualHost(false, safe, faulty), [FaultFilter(Abort(502, 100)), CorsFilter()], clusters: ("a", [(backend.Port, 1)]));
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await Start(plane);

        using var calm = await proxy.GetAsync(Authority, "/");
        Assert.Equal(HttpStatusCode.OK, calm.StatusCode);
        using var chaos = await proxy.GetAsync(Authority, "/", ("x-chaos", "on"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, chaos.StatusCode);
        using var safeResponse = await proxy.GetAsync(Authority, "/safe", ("x-chaos", "on"));
        Assert.Equal(HttpStatusCode.OK, safeResponse.StatusCode);
        Assert.Equal(2, backend.Requests.Count);
    }

    private static HTTPFault Abort(uint status, uint percent) => new() { Abort = new FaultAbort { HttpStatus = status, Percentage = Percent(percent) } };

    private static FractionalPercent Percent(uint percent) => new() { Numerator = percent, Denominator = FractionalPercent.Types.DenominatorType.Hundred };

    /// <summary>One route to the backend carrying the fault, as Istio writes a VirtualService's <c>fault</c>.</summary>
    private static List<IMessage> Mesh(Backend backend, HTTPFault fault)
    {
        var route = Route("/", ToCluster("a"));
        route.TypedPerFilterConfig[FaultName] = Any.Pack(fault);
        return Resources(VirtualHost(false, route), clusters: ("a", [(backend.Port, 1)]));
    }

    private static Task<RunningProxy> Start(ScriptedControlPlane plane, RequestLog? log = null, TimeProvider? clock = null, Func<ulong>? random = null) =>
        RunningProxy.StartAsync(plane.Address, o => o with
        {
            Random = random ?? (() => 0),
            Time = clock ?? o.Time,
            RequestCompleted = log is null ? null : log.Add,
        });
}
