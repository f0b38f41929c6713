using System.Net;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Tests.Support;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.AccessLoggers.Filters.Cel.V3;
using Hcm = Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager;
using XdsFilter = Weft.Xds.Envoy.Config.AccessLog.V3.AccessLogFilter;

namespace Weft.Proxy.Tests.Telemetry;

/// <summary>
/// The access log filters Istio's Telemetry API emits, through a real proxy: the CEL expression filter
/// (<c>accessLogging[].filter.expression</c>), alone and under an <c>and_filter</c> with the response flag filter.
/// </summary>
public sealed partial class AccessLogTests
{
    private const string Line = "%RESPONSE_CODE% %ROUTE_NAME% %REQ(X-REQUEST-ID)% %RESPONSE_FLAGS%\n";

    [Fact]
    public async Task A_CEL_filter_on_the_connection_manager_writes_only_the_requests_it_is_true_for()
    {
        await using var backend = await Backend.StartAsync("web");
        var path = Path.Combine(_directory, "failures.log");
        await using var plane = await ScriptedControlPlane.StartAsync(Web(backend.Port, WithFilteredLog(XdsResources.HttpListener(8080, "web"), path, Cel("response.code >= 400"))));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        await ServedThenUnroutedAsync(proxy, "served", "unrouted");

        await MetricsTests.Recorded(proxy, 2);
        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(Generous);
        Assert.Equal(["404 - unrouted NR"], await File.ReadAllLinesAsync(path));
    }

    [Fact]
    public async Task A_CEL_filter_reads_request_headers_and_a_missing_header_counts_as_false()
    {
        await using var backend = await Backend.StartAsync("web");
        var path = Path.Combine(_directory, "x-log.log");
        await using var plane = await ScriptedControlPlane.StartAsync(Web(backend.Port, WithFilteredLog(XdsResources.HttpListener(8080, "web"), path, Cel("request.headers['x-log'] == 'yes'"))));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        foreach (var (id, headers) in new[] { ("absent", Array.Empty<(string, string)>()), ("no", [("x-log", "no")]), ("yes", [("X-Log", "yes")]) })
        {
            using var response = await proxy.GetAsync("web.example:8080", "/", [("x-request-id", id), .. headers]);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await MetricsTests.Recorded(proxy, 3);
        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(Generous);
        Assert.Equal(["200 - yes -"], await File.ReadAllLinesAsync(path));
    }

    [Fact]
    public async Task An_and_filter_of_a_response_flag_and_a_CEL_expression_needs_both()
    {
        await using var backend = await Backend.StartAsync("web");
        var path = Path.Combine(_directory, "and.log");
        var filter = new XdsFilter { AndFilter = new() { Filters = { Flags("NR"), Cel("request.headers['x-log'] == 'yes'") } } };
        await using var plane = await ScriptedControlPlane.StartAsync(Web(backend.Port, WithFilteredLog(XdsResources.HttpListener(8080, "web"), path, filter)));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        (string Host, string Id, string? Log)[] requests = [("other.example:8080", "nr-only", null), ("web.example:8080", "cel-only", "yes"), ("other.example:8080", "both", "yes")];
        foreach (var (host, id, log) in requests)
        {
            using var response = await proxy.GetAsync(host, "/", log is null ? [("x-request-id", id)] : [("x-request-id", id), ("x-log", log)]);
        }

        await MetricsTests.Recorded(proxy, 3);
        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(Generous);
        Assert.Equal(["404 - both NR"], await File.ReadAllLinesAsync(path));
    }

    [Fact]
    public async Task A_listener_logs_a_connection_no_chain_takes_under_Istios_and_filter_only_when_its_expression_holds()
    {
        var matching = Path.Combine(_directory, "listener-match.log");
        var failing = Path.Combine(_directory, "listener-fail.log");

        // Istio's listener-level log: AND(response flag NR, the Telemetry expression). A connection has no response code, so that one is false.
        await ConnectionNoChainTakesAsync(port =>
        {
            var fails = FileLog(failing, "%RESPONSE_FLAGS%\n");
            fails.Filter = new XdsFilter { AndFilter = new() { Filters = { Flags("NR"), Cel("response.code >= 400") } } };
            var matches = FileLog(matching, "%RESPONSE_FLAGS% %BYTES_RECEIVED%\n");
            matches.Filter = new XdsFilter { AndFilter = new() { Filters = { Flags("NR"), Cel($"destination.port == {port} && source.address.startsWith('127.0.0.1:')") } } };
            return [fails, matches];
        });

        Assert.Equal(["NR 0"], await File.ReadAllLinesAsync(matching));
        Assert.False(File.Exists(failing) && new FileInfo(failing).Length > 0, "the entry passed a filter whose expression reads a response code a connection lacks");
    }

    [Fact]
    public async Task A_CEL_expression_that_does_not_parse_is_NACKed_and_the_previous_filter_keeps_deciding()
    {
        await using var backend = await Backend.StartAsync("web");
        var path = Path.Combine(_directory, "kept.log");
        var good = WithFilteredLog(XdsResources.HttpListener(8080, "web"), path, Cel("response.code >= 400"));
        await using var plane = await ScriptedControlPlane.StartAsync(Web(backend.Port, good));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        using (await proxy.GetAsync("web.example:8080", "/"))
        {
        }

        var generation = proxy.Host.State.Current!.Generation;

        await plane.SendRawAsync(TypeUrls.Listener, [.. Web(backend.Port, WithFilteredLog(XdsResources.HttpListener(8080, "web"), path, Cel("response.code >="))).OfType<Listener>()]);
        var nack = await plane.RejectionAsync(TypeUrls.Listener).WaitAsync(Generous);
        Assert.Contains("CEL expression \"response.code >=\" does not parse: at column 17: unexpected end of expression", nack.ErrorDetail.Message, StringComparison.Ordinal);
        Assert.Equal(generation, proxy.Host.State.Current!.Generation);

        await ServedThenUnroutedAsync(proxy, "after-served", "after-unrouted");

        await MetricsTests.Recorded(proxy, 3);
        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(Generous);
        Assert.Equal(["404 - after-unrouted NR"], await File.ReadAllLinesAsync(path));
    }

    private static IEnumerable<Google.Protobuf.IMessage> Web(int backendPort, Listener listener) =>
    [
        .. XdsResources.VirtualOutbound(),
        listener,
        XdsResources.Routes("web", ("web.example", "web")),
        XdsResources.EdsCluster("web"), XdsResources.Assignment("web", ("127.0.0.1", backendPort)),
    ];

    private static XdsFilter Cel(string expression) => new()
    {
        ExtensionFilter = new()
        {
            Name = "envoy.access_loggers.extension_filters.cel",
            TypedConfig = Any.Pack(new ExpressionFilter { Expression = expression }),
        },
    };

    private static XdsFilter Flags(params string[] flags) => new() { ResponseFlagFilter = new() { Flags = { flags } } };

    private static Listener WithFilteredLog(Listener listener, string path, XdsFilter filter)
    {
        var copy = listener.Clone();
        var network = copy.FilterChains[0].Filters.Single();
        var hcm = network.TypedConfig.Unpack<Hcm>();
        var log = FileLog(path, Line);
        log.Filter = filter;
        hcm.AccessLog.Add(log);
        network.TypedConfig = Any.Pack(hcm);
        return copy;
    }
}
