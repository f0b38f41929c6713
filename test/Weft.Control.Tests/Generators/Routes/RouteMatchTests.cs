using Weft.Control.Tests.Support;
using Weft.Xds.Envoy.Config.Route.V3;
using static Weft.Control.Tests.Support.RouteTestSupport;

namespace Weft.Control.Tests.Generators.Routes;

/// <summary>VirtualService match requests as Envoy route matches, and which match entries a proxy gets at all.</summary>
public sealed class RouteMatchTests
{
    private static string Vs(string match, string extra = "") => Service("reviews") + $$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: vs
          namespace: default
        spec:
          hosts: [reviews]
          http:
          - name: r
            match:
            - {{match}}
            route:
            - destination:
                host: reviews
        {{extra}}
        """;

    [Theory]
    [InlineData("uri: {exact: /a}", "path", "/a")]
    [InlineData("uri: {prefix: /api}", "prefix", "/api")]
    [InlineData("uri: {regex: '/v[0-9]+/.*'}", "safe_regex", "/v[0-9]+/.*")]
    public void Uri_match_becomes_path_prefix_or_re2_regex(string match, string kind, string value)
    {
        var route = Single(Vs(match));
        var actual = kind switch
        {
            "path" => route.Match.Path,
            "prefix" => route.Match.Prefix,
            _ => route.Match.SafeRegex.Regex,
        };
        Assert.Equal(value, actual);
        Assert.Equal(kind == "safe_regex" ? RouteMatch.PathSpecifierOneofCase.SafeRegex : kind == "path" ? RouteMatch.PathSpecifierOneofCase.Path : RouteMatch.PathSpecifierOneofCase.Prefix, route.Match.PathSpecifierCase);
    }

    [Theory]
    [InlineData("{uri: {prefix: /a}, ignoreUriCase: true}", false)]
    [InlineData("{uri: {prefix: /a}}", true)]
    public void IgnoreUriCase_turns_off_case_sensitive_paths(string match, bool caseSensitive)
    {
        Assert.Equal(caseSensitive, Single(Vs(match)).Match.CaseSensitive);
    }

    [Fact]
    public void Headers_are_lower_cased_sorted_and_keep_their_match_kind()
    {
        var route = Single(Vs("headers: {X-Zeta: {exact: Z}, alpha: {prefix: a}, mid: {regex: 'm.*'}}"));
        Assert.Equal(["alpha", "mid", "x-zeta"], route.Match.Headers.Select(h => h.Name));
        Assert.Equal("a", route.Match.Headers[0].StringMatch.Prefix);
        Assert.Equal("m.*", route.Match.Headers[1].StringMatch.SafeRegex.Regex);
        Assert.Equal("Z", route.Match.Headers[2].StringMatch.Exact);
    }

    [Fact]
    public void An_empty_match_means_the_header_is_present()
    {
        // The regex "*" means the same; validation admits it only under withoutHeaders (tested below).
        var header = Assert.Single(Single(Vs("headers: {x-user: {}}")).Match.Headers);
        Assert.True(header.PresentMatch);
        Assert.False(header.InvertMatch);
    }

    [Fact]
    public void WithoutHeaders_inverts_and_treats_a_missing_header_as_empty()
    {
        var route = Single(Vs("withoutHeaders: {x-debug: {exact: '1'}, x-trace: {regex: '*'}}"));
        var debug = route.Match.Headers.Single(h => h.Name == "x-debug");
        Assert.True(debug.InvertMatch);
        Assert.True(debug.TreatMissingHeaderAsEmpty);
        Assert.Equal("1", debug.StringMatch.Exact);

        // Envoy refuses treat_missing_header_as_empty beside present_match.
        var trace = route.Match.Headers.Single(h => h.Name == "x-trace");
        Assert.True(trace.InvertMatch);
        Assert.True(trace.PresentMatch);
        Assert.False(trace.TreatMissingHeaderAsEmpty);
    }

    [Fact]
    public void Method_authority_and_scheme_are_pseudo_header_matchers_after_the_sorted_headers()
    {
        var route = Single(Vs("{method: {exact: GET}, authority: {prefix: api.}, scheme: {exact: https}, headers: {b: {exact: '1'}, a: {exact: '2'}}}"));
        Assert.Equal(["a", "b", ":method", ":authority", ":scheme"], route.Match.Headers.Select(h => h.Name));
        Assert.Equal("GET", route.Match.Headers[2].StringMatch.Exact);
        Assert.Equal("api.", route.Match.Headers[3].StringMatch.Prefix);
    }

    [Fact]
    public void Query_params_become_query_parameter_matchers()
    {
        var route = Single(Vs("queryParams: {v: {exact: '2'}, debug: {}, page: {prefix: '1'}}"));
        Assert.Equal(["debug", "page", "v"], route.Match.QueryParameters.Select(q => q.Name));
        Assert.True(route.Match.QueryParameters[0].PresentMatch);
        Assert.Equal("1", route.Match.QueryParameters[1].StringMatch.Prefix);
        Assert.Equal("2", route.Match.QueryParameters[2].StringMatch.Exact);
    }

    /// <summary>JWT claim routing is for gateways only (validation says so), so these routes are built for one.</summary>
    private static Route GatewayRoute(string match)
    {
        var yaml = Vs(match).Replace("hosts: [reviews]", "hosts: [reviews]\n  gateways: [ingress]", StringComparison.Ordinal);
        return Assert.Single(RoutesFor(PushOf(yaml), "vs", 80, gateway: "default/ingress"));
    }

    [Theory]
    [InlineData("'@request.auth.claims.group'", new[] { "payload", "group" })]
    [InlineData("'@request.auth.claims[org][team]'", new[] { "payload", "org", "team" })]
    [InlineData("'@request.auth.claims.a.b'", new[] { "payload", "a", "b" })]
    public void Jwt_claim_keys_match_on_jwt_authn_metadata_not_headers(string key, string[] path)
    {
        var route = GatewayRoute($"headers: {{{key}: {{exact: admins}}}}");
        Assert.Empty(route.Match.Headers);
        var metadata = Assert.Single(route.Match.DynamicMetadata);
        Assert.Equal("envoy.filters.http.jwt_authn", metadata.Filter);
        Assert.Equal(path, metadata.Path.Select(p => p.Key));
        Assert.False(metadata.Invert);

        // A claim may be a string or a list of strings; either holding "admins" matches.
        var either = metadata.Value.OrMatch.ValueMatchers;
        Assert.Equal("admins", either[0].ListMatch.OneOf.StringMatch.Exact);
        Assert.Equal("admins", either[1].StringMatch.Exact);
    }

    [Fact]
    public void Jwt_claim_in_withoutHeaders_inverts_the_metadata_matcher()
    {
        var route = GatewayRoute("withoutHeaders: {'@request.auth.claims.role': {exact: guest}}");
        Assert.True(Assert.Single(route.Match.DynamicMetadata).Invert);
    }

    [Fact]
    public void Match_entries_for_another_port_are_left_out()
    {
        var yaml = Service("reviews", ports: [80, 9080]) + """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: vs, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - match:
                - {port: 9080, uri: {prefix: /only9080}}
                - {port: 80, uri: {prefix: /only80}}
                - uri: {prefix: /any}
                route:
                - destination: {host: reviews}
            """;
        var push = PushOf(yaml);
        Assert.Equal(["/only80", "/any"], RoutesFor(push, "vs", 80).Select(r => r.Match.Prefix));
        Assert.Equal(["/only9080", "/any"], RoutesFor(push, "vs", 9080).Select(r => r.Match.Prefix));
    }

    [Fact]
    public void SourceLabels_and_sourceNamespace_pick_the_proxies_a_match_is_for()
    {
        var yaml = Service("reviews") + """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: vs, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - match:
                - {name: canary, sourceLabels: {app: productpage, version: v2}, uri: {prefix: /labels}}
                - {name: ns, sourceNamespace: test, uri: {prefix: /ns}}
                route:
                - destination: {host: reviews}
              - route:
                - destination: {host: reviews}
            """;
        var push = PushOf(yaml);
        var v2 = Sidecar(labels: new Dictionary<string, string> { ["app"] = "productpage", ["version"] = "v2", ["extra"] = "x" });
        var v1 = Sidecar(labels: new Dictionary<string, string> { ["app"] = "productpage", ["version"] = "v1" });
        Assert.Equal(["/labels", "/"], RoutesFor(push, "vs", 80, v2).Select(r => r.Match.Prefix));
        Assert.Equal(["/"], RoutesFor(push, "vs", 80, v1).Select(r => r.Match.Prefix));
        Assert.Equal(["/ns", "/"], RoutesFor(push, "vs", 80, Sidecar("test")).Select(r => r.Match.Prefix));
    }

    [Fact]
    public void Match_level_gateways_decide_alone_and_mesh_means_sidecars()
    {
        var yaml = Service("reviews") + """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: vs, namespace: default}
            spec:
              hosts: [reviews]
              gateways: [mesh, ingress]
              http:
              - match:
                - {gateways: [ingress], uri: {prefix: /gw}}
                - {gateways: [mesh], sourceLabels: {app: nobody}, uri: {prefix: /mesh}}
                route:
                - destination: {host: reviews}
            """;
        var push = PushOf(yaml);

        // Naming gateways makes sourceLabels irrelevant, as in Istio.
        Assert.Equal(["/mesh"], RoutesFor(push, "vs", 80).Select(r => r.Match.Prefix));
        Assert.Equal(["/gw"], RoutesFor(push, "vs", 80, gateway: "default/ingress").Select(r => r.Match.Prefix));
    }

    [Fact]
    public void Route_names_join_the_http_name_and_the_match_name()
    {
        var yaml = Service("reviews") + """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: vs, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - name: api
                match:
                - {name: v1, uri: {prefix: /v1}}
                - uri: {prefix: /v2}
                route:
                - destination: {host: reviews}
            """;
        Assert.Equal(["api.v1", "api"], RoutesFor(PushOf(yaml), "vs", 80).Select(r => r.Name));
    }

    [Fact]
    public void A_catch_all_ends_the_routes()
    {
        var yaml = Service("reviews") + """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: vs, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - name: first
                match:
                - uri: {prefix: /a}
                - uri: {prefix: /}
                - uri: {prefix: /never}
                route:
                - destination: {host: reviews}
              - name: unreachable
                route:
                - destination: {host: reviews}
            """;
        var routes = RoutesFor(PushOf(yaml), "vs", 80);
        Assert.Equal(["/a", "/"], routes.Select(r => r.Match.Prefix));
        Assert.All(routes, r => Assert.Equal("first", r.Name));
    }

    [Fact]
    public void A_route_without_match_takes_everything_and_ends_the_list()
    {
        var yaml = Service("reviews") + """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: vs, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - name: all
                route:
                - destination: {host: reviews}
              - name: never
                match:
                - uri: {prefix: /x}
                route:
                - destination: {host: reviews}
            """;
        var route = Assert.Single(RoutesFor(PushOf(yaml), "vs", 80));
        Assert.Equal("all", route.Name);
        Assert.Equal("/", route.Match.Prefix);
        Assert.Null(route.Match.CaseSensitive);
    }
}
