using Weft.Control.Tests.Support;
using Weft.Xds.Envoy.Extensions.Filters.Http.Fault.V3;
using Weft.Xds.Envoy.Type.V3;
using static Weft.Control.Tests.Support.RouteTestSupport;
using EnvoyCors = Weft.Xds.Envoy.Extensions.Filters.Http.Cors.V3.CorsPolicy;

namespace Weft.Control.Tests.Generators.Routes;

/// <summary>Fault injection and CORS, which routes hand to their HTTP filters as per-route config.</summary>
public sealed class RouteFilterConfigTests
{
    private static Weft.Xds.Envoy.Config.Route.V3.Route Route(string extra) => Single(Service("reviews") + $$$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vs, namespace: default}
        spec:
          hosts: [reviews]
          http:
          - route: [{destination: {host: reviews}}]
            {{{extra}}}
        """);

    private static HTTPFault Fault(string fault) => Route(fault).TypedPerFilterConfig["envoy.filters.http.fault"].Unpack<HTTPFault>();

    [Fact]
    public void A_fixed_delay_applies_to_the_given_percentage_in_millionths()
    {
        var fault = Fault("fault: {delay: {fixedDelay: 7s, percentage: {value: 0.1}}}");
        Assert.Equal(7, fault.Delay.FixedDelay.Seconds);
        Assert.Equal(1000u, fault.Delay.Percentage.Numerator);
        Assert.Equal(FractionalPercent.Types.DenominatorType.Million, fault.Delay.Percentage.Denominator);
        Assert.Null(fault.Abort);
    }

    [Fact]
    public void The_deprecated_integer_percent_is_in_hundredths()
    {
        var fault = Fault("fault: {delay: {fixedDelay: 1s, percent: 25}}");
        Assert.Equal(25u, fault.Delay.Percentage.Numerator);
        Assert.Equal(FractionalPercent.Types.DenominatorType.Hundred, fault.Delay.Percentage.Denominator);
    }

    [Fact]
    public void Faults_without_a_percentage_inject_nothing()
    {
        var fault = Fault("fault: {delay: {fixedDelay: 1s}, abort: {httpStatus: 500}}");

        // An explicit 0% delay, and an abort whose unset percentage Envoy reads as 0%.
        Assert.Equal(0u, fault.Delay.Percentage.Numerator);
        Assert.Equal(500u, fault.Abort.HttpStatus);
        Assert.Null(fault.Abort.Percentage);
    }

    [Theory]
    [InlineData("{httpStatus: 503, percentage: {value: 50}}", FaultAbort.ErrorTypeOneofCase.HttpStatus, 503u)]
    [InlineData("{grpcStatus: UNAVAILABLE, percentage: {value: 50}}", FaultAbort.ErrorTypeOneofCase.GrpcStatus, 14u)]
    [InlineData("{grpcStatus: PERMISSION_DENIED, percentage: {value: 50}}", FaultAbort.ErrorTypeOneofCase.GrpcStatus, 7u)]
    public void Aborts_send_an_http_status_or_a_numeric_grpc_code(string abort, FaultAbort.ErrorTypeOneofCase kind, uint code)
    {
        var fault = Fault($"fault: {{abort: {abort}}}");
        Assert.Equal(kind, fault.Abort.ErrorTypeCase);
        Assert.Equal(code, kind == FaultAbort.ErrorTypeOneofCase.HttpStatus ? fault.Abort.HttpStatus : fault.Abort.GrpcStatus);
        Assert.Equal(500_000u, fault.Abort.Percentage.Numerator);
    }

    [Fact]
    public void Cors_policy_goes_to_the_cors_filter()
    {
        var route = Route("""
            corsPolicy:
                  allowOrigins: [{exact: 'https://a.example'}, {regex: 'https://.*\.b\.example'}]
                  allowMethods: [GET, POST]
                  allowHeaders: [x-a, x-b]
                  exposeHeaders: [x-c]
                  maxAge: 90s
                  allowCredentials: true
            """);
        var cors = route.TypedPerFilterConfig["envoy.filters.http.cors"].Unpack<EnvoyCors>();
        Assert.Equal("https://a.example", cors.AllowOriginStringMatch[0].Exact);
        Assert.Equal("https://.*\\.b\\.example", cors.AllowOriginStringMatch[1].SafeRegex.Regex);
        Assert.Equal("GET,POST", cors.AllowMethods);
        Assert.Equal("x-a,x-b", cors.AllowHeaders);
        Assert.Equal("x-c", cors.ExposeHeaders);
        Assert.Equal("90", cors.MaxAge);
        Assert.True(cors.AllowCredentials);
        Assert.Equal(100u, cors.FilterEnabled.DefaultValue.Numerator);
        Assert.True(cors.ForwardNotMatchingPreflights);
    }

    [Fact]
    public void Cors_unmatched_preflights_ignore_stops_forwarding_them()
    {
        var cors = Route("corsPolicy: {allowOrigins: [{exact: 'https://a'}], unmatchedPreflights: IGNORE}")
            .TypedPerFilterConfig["envoy.filters.http.cors"].Unpack<EnvoyCors>();
        Assert.False(cors.ForwardNotMatchingPreflights);
        Assert.Null(cors.AllowCredentials);
    }

    [Fact]
    public void Routes_without_fault_or_cors_carry_no_filter_config()
    {
        Assert.Empty(Route(string.Empty).TypedPerFilterConfig);
    }

    [Fact]
    public void Route_headers_are_set_then_added_each_sorted_and_internal_ones_dropped()
    {
        var route = Route("""
            headers:
                  request:
                    set: {x-b: '2', x-a: '1'}
                    add: {x-d: '4', x-c: '3'}
                    remove: [x-gone]
                  response:
                    set: {x-r: r}
                    remove: [x-internal]
            """);
        Assert.Equal(["x-a", "x-b", "x-c", "x-d"], route.RequestHeadersToAdd.Select(h => h.Header.Key));
        Assert.Equal(
            ["OverwriteIfExistsOrAdd", "OverwriteIfExistsOrAdd", "AppendIfExistsOrAdd", "AppendIfExistsOrAdd"],
            route.RequestHeadersToAdd.Select(h => h.AppendAction.ToString()));
        Assert.Equal(["x-gone"], route.RequestHeadersToRemove);
        Assert.Equal(["x-r"], route.ResponseHeadersToAdd.Select(h => h.Header.Key));
        Assert.Equal(["x-internal"], route.ResponseHeadersToRemove);
    }
}
