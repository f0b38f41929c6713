using Weft.Control.Tests.Support;
using Weft.Xds.Envoy.Config.Route.V3;
using static Weft.Control.Tests.Support.RouteTestSupport;
using Code = Weft.Xds.Envoy.Config.Route.V3.RedirectAction.Types.RedirectResponseCode;

namespace Weft.Control.Tests.Generators.Routes;

/// <summary>What a matched route does: redirect, answer directly, rewrite, time out, mirror.</summary>
public sealed class RouteActionTests
{
    private static string Vs(string http, string host = "reviews") => Service("reviews") + $$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vs, namespace: default}
        spec:
          hosts: [{{host}}]
          http:
          - {{http}}
        """;

    [Theory]
    [InlineData(null, Code.MovedPermanently)]
    [InlineData(301, Code.MovedPermanently)]
    [InlineData(302, Code.Found)]
    [InlineData(303, Code.SeeOther)]
    [InlineData(307, Code.TemporaryRedirect)]
    [InlineData(308, Code.PermanentRedirect)]
    public void Redirect_codes_map_to_envoy_response_codes(int? code, Code expected)
    {
        var codeField = code is null ? string.Empty : $", redirectCode: {code}";
        var route = Single(Vs($"redirect: {{uri: /new, authority: new.example.com{codeField}}}"));
        Assert.Equal(Route.ActionOneofCase.Redirect, route.ActionCase);
        Assert.Equal(expected, route.Redirect.ResponseCode);
        Assert.Equal("/new", route.Redirect.PathRedirect);
        Assert.Equal("new.example.com", route.Redirect.HostRedirect);
    }

    [Fact]
    public void A_redirect_code_envoy_cannot_send_leaves_the_route_without_an_action()
    {
        var route = Single(Vs("redirect: {uri: /new, redirectCode: 305}"));
        Assert.Equal(Route.ActionOneofCase.None, route.ActionCase);
        Assert.Equal("vs:80/*", route.Decorator.Operation);
    }

    [Fact]
    public void Redirect_prefix_rewrite_replaces_the_path_redirect()
    {
        var route = Single(Vs("redirect: {prefixRewrite: /v2}"));
        Assert.Equal("/v2", route.Redirect.PrefixRewrite);
        Assert.Equal(RedirectAction.PathRewriteSpecifierOneofCase.PrefixRewrite, route.Redirect.PathRewriteSpecifierCase);
    }

    [Theory]
    [InlineData("{uri: /x, scheme: https, port: 8443}", "https", 8443u)]
    [InlineData("{uri: /x, scheme: https, port: 443}", "https", 0u)]
    [InlineData("{uri: /x, port: 80}", "", 0u)]
    [InlineData("{uri: /x, derivePort: FROM_REQUEST_PORT}", "", 0u)]
    [InlineData("{uri: /x, scheme: https, derivePort: FROM_REQUEST_PORT}", "https", 80u)]
    [InlineData("{uri: /x, derivePort: FROM_PROTOCOL_DEFAULT}", "", 0u)]
    public void Redirect_ports_name_the_listener_port_for_the_request_port_and_leave_scheme_defaults_implicit(string redirect, string scheme, uint port)
    {
        var route = Single(Vs($"redirect: {redirect}"));
        Assert.Equal(scheme, route.Redirect.SchemeRedirect);
        Assert.Equal(port, route.Redirect.PortRedirect);
    }

    [Fact]
    public void Direct_response_sends_a_status_and_a_text_body()
    {
        var route = Single(Vs("directResponse: {status: 503, body: {string: unavailable}}"));
        Assert.Equal(503u, route.DirectResponse.Status);
        Assert.Equal("unavailable", route.DirectResponse.Body.InlineString);
    }

    [Fact]
    public void Direct_response_bytes_are_decoded_from_base64()
    {
        var route = Single(Vs("directResponse: {status: 200, body: {bytes: aGVsbG8=}}"));
        Assert.Equal("hello", route.DirectResponse.Body.InlineBytes.ToStringUtf8());
    }

    [Fact]
    public void Rewrite_sets_prefix_and_host()
    {
        var route = Single(Vs("match: [{uri: {prefix: /old}}]\n    rewrite: {uri: /new, authority: backend.internal}\n    route: [{destination: {host: reviews}}]"));
        Assert.Equal("/new", route.Route_.PrefixRewrite);
        Assert.Equal("backend.internal", route.Route_.HostRewriteLiteral);
    }

    [Fact]
    public void Uri_regex_rewrite_becomes_regex_rewrite()
    {
        var route = Single(Vs("rewrite: {uriRegexRewrite: {match: '^/api/(.*)', rewrite: '/\\1'}}\n    route: [{destination: {host: reviews}}]"));
        Assert.Equal("^/api/(.*)", route.Route_.RegexRewrite.Pattern.Regex);
        Assert.Equal("/\\1", route.Route_.RegexRewrite.Substitution);
        Assert.Equal(string.Empty, route.Route_.PrefixRewrite);
    }

    [Fact]
    public void A_host_header_set_on_the_route_becomes_a_host_rewrite()
    {
        var route = Single(Vs("headers: {request: {set: {host: from-header, x-a: b}}}\n    route: [{destination: {host: reviews}}]"));
        Assert.Equal("from-header", route.Route_.HostRewriteLiteral);
        Assert.Equal(["x-a"], route.RequestHeadersToAdd.Select(h => h.Header.Key));
    }

    [Theory]
    [InlineData("timeout: 2.5s\n    ", 2L, 500_000_000)]
    [InlineData("timeout: 1m\n    ", 60L, 0)]
    [InlineData("", 0L, 0)]
    public void Timeout_is_the_virtual_services_else_none_and_caps_grpc_timeouts_too(string timeout, long seconds, int nanos)
    {
        var route = Single(Vs(timeout + "route: [{destination: {host: reviews}}]"));
        Assert.Equal(seconds, route.Route_.Timeout.Seconds);
        Assert.Equal(nanos, route.Route_.Timeout.Nanos);
        Assert.Equal(route.Route_.Timeout, route.Route_.MaxGrpcTimeout);
        Assert.Null(route.Route_.MaxStreamDuration);
    }

    [Fact]
    public void Proxyless_grpc_clients_get_the_timeout_as_max_stream_duration()
    {
        var route = Single(Vs("timeout: 3s\n    route: [{destination: {host: reviews}}]"), proxy: Sidecar(proxyless: true));
        Assert.Equal(3, route.Route_.MaxStreamDuration.MaxStreamDuration_.Seconds);
        Assert.Null(route.Route_.MaxGrpcTimeout);
    }

    [Fact]
    public void Mirror_copies_all_requests_unless_a_share_is_given()
    {
        var route = Single(Vs("route: [{destination: {host: reviews}}]\n    mirror: {host: shadow.example.com, port: {number: 8080}}"));
        var mirror = Assert.Single(route.Route_.RequestMirrorPolicies);
        Assert.Equal("outbound|8080||shadow.example.com", mirror.Cluster);
        Assert.Equal(100u, mirror.RuntimeFraction.DefaultValue.Numerator);
        Assert.Equal(Weft.Xds.Envoy.Type.V3.FractionalPercent.Types.DenominatorType.Hundred, mirror.RuntimeFraction.DefaultValue.Denominator);
        Assert.False(mirror.TraceSampled);
        Assert.True(mirror.DisableShadowHostSuffixAppend);
    }

    [Theory]
    [InlineData("mirrorPercentage: {value: 12.5}", 125_000u, true)]
    [InlineData("mirrorPercentage: {value: 0}", 0u, false)]
    [InlineData("mirrorPercent: 30", 30u, true)]
    [InlineData("mirror_percent: 0", 0u, false)]
    public void Mirror_share_comes_from_mirrorPercentage_or_the_deprecated_integer(string share, uint numerator, bool mirrored)
    {
        var route = Single(Vs($"route: [{{destination: {{host: reviews}}}}]\n    mirror: {{host: reviews}}\n    {share}"));
        if (!mirrored)
        {
            Assert.Empty(route.Route_.RequestMirrorPolicies);
            return;
        }

        Assert.Equal(numerator, Assert.Single(route.Route_.RequestMirrorPolicies).RuntimeFraction.DefaultValue.Numerator);
    }

    [Fact]
    public void Mirrors_each_get_a_policy_with_their_own_share()
    {
        var route = Single(Vs("""
            route: [{destination: {host: reviews}}]
                mirrors:
                - destination: {host: reviews, subset: a}
                - destination: {host: reviews, subset: b}
                  percentage: {value: 5}
                - destination: {host: reviews, subset: c}
                  percentage: {value: 0}
            """));
        var policies = route.Route_.RequestMirrorPolicies;
        Assert.Equal(["outbound|80|a|reviews.default.svc.cluster.local", "outbound|80|b|reviews.default.svc.cluster.local"], policies.Select(p => p.Cluster));
        Assert.Equal([100u, 50_000u], policies.Select(p => p.RuntimeFraction.DefaultValue.Numerator));
    }

    [Fact]
    public void Decorator_names_the_host_and_path_and_metadata_names_the_virtual_service()
    {
        var route = Single(Vs("match: [{uri: {prefix: /api}}]\n    route: [{destination: {host: reviews}}]"));
        Assert.Equal("reviews.default.svc.cluster.local:80/api*", route.Decorator.Operation);
        Assert.Equal("/apis/networking.istio.io/v1/namespaces/default/virtual-service/vs", route.Metadata.FilterMetadata["istio"].Fields["config"].StringValue);
    }

    [Theory]
    [InlineData("match: [{uri: {exact: /health}}]", "reviews.default.svc.cluster.local:80/health")]
    [InlineData("match: [{uri: {regex: '/v[0-9]'}}]", "reviews.default.svc.cluster.local:80/v[0-9]")]
    public void Decorator_path_is_the_exact_path_or_the_regex(string match, string operation)
    {
        Assert.Equal(operation, Single(Vs(match + "\n    route: [{destination: {host: reviews}}]")).Decorator.Operation);
    }

    [Fact]
    public void Match_stat_prefix_is_copied_to_the_route()
    {
        var route = Single(Vs("match: [{uri: {prefix: /a}, statPrefix: api}]\n    route: [{destination: {host: reviews}}]"));
        Assert.Equal("api", route.StatPrefix);
    }
}
