using Weft.Control.Tests.Support;
using static Weft.Control.Tests.Support.RouteTestSupport;

namespace Weft.Control.Tests.Generators.Routes;

/// <summary>Root VirtualServices that hand route subtrees to delegate VirtualServices.</summary>
public sealed class DelegateMergerTests
{
    private static string Root(string rootHttp) => Service("reviews") + Service("ratings", ns: "team", ip: "10.0.0.20") + $$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: root, namespace: default}
        spec:
          hosts: [reviews]
          http:
        {{rootHttp}}
        ---

        """;

    private const string Delegate = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: leaf, namespace: team}
        spec:
          http:
          - name: v1
            match: [{uri: {prefix: /api/v1}}]
            route: [{destination: {host: ratings}}]
          - name: other
            match: [{uri: {prefix: /other}}]
            route: [{destination: {host: ratings}}]
          - name: rest
            route: [{destination: {host: ratings}}]
            timeout: 9s
        """;

    [Fact]
    public void Delegate_routes_that_fit_the_root_match_are_merged_and_named_root_dash_delegate()
    {
        var yaml = Root("""
              - name: api
                match: [{uri: {prefix: /api}, headers: {x-team: {exact: a}}}]
                delegate: {name: leaf, namespace: team}
                timeout: 5s
            """) + Delegate;
        var routes = RoutesFor(PushOf(yaml), "root", 80);

        // /other does not narrow /api, so that delegate route is dropped; "rest" takes the root's match.
        Assert.Equal(["api-v1", "api-rest"], routes.Select(r => r.Name));
        Assert.Equal(["/api/v1", "/api"], routes.Select(r => r.Match.Prefix));
        Assert.All(routes, r => Assert.Equal("x-team", Assert.Single(r.Match.Headers).Name));

        // Short hosts in the delegate are read in the delegate's namespace.
        Assert.All(routes, r => Assert.Equal("outbound|80||ratings.team.svc.cluster.local", r.Route_.Cluster));

        // Unset fields come from the root route; set ones stay.
        Assert.Equal(5, routes[0].Route_.Timeout.Seconds);
        Assert.Equal(9, routes[1].Route_.Timeout.Seconds);
    }

    [Fact]
    public void A_root_route_without_match_takes_every_delegate_route()
    {
        var yaml = Root("""
              - delegate: {name: leaf, namespace: team}
            """) + Delegate;
        var routes = RoutesFor(PushOf(yaml), "root", 80);
        Assert.Equal(["v1", "other", "rest"], routes.Select(r => r.Name));
    }

    [Fact]
    public void A_missing_delegate_drops_only_its_root_route()
    {
        var yaml = Root("""
              - name: gone
                match: [{uri: {prefix: /gone}}]
                delegate: {name: nowhere}
              - name: fallback
                route: [{destination: {host: reviews}}]
            """);
        Assert.Equal(["fallback"], RoutesFor(PushOf(yaml), "root", 80).Select(r => r.Name));
    }

    [Theory]
    [InlineData("{uri: {exact: /a}}", "{uri: {exact: /a}}", true)]
    [InlineData("{uri: {exact: /a}}", "{uri: {exact: /b}}", false)]
    [InlineData("{uri: {exact: /a}}", "{uri: {prefix: /a}}", false)]
    [InlineData("{uri: {prefix: /a}}", "{uri: {exact: /a/b}}", true)]
    [InlineData("{uri: {prefix: /a/b}}", "{uri: {prefix: /a}}", false)]
    [InlineData("{uri: {regex: '/a.*'}}", "{uri: {prefix: /a}}", false)]
    [InlineData("{uri: {prefix: /a}}", "{uri: {regex: '/a.*'}}", false)]
    [InlineData("{uri: {prefix: /a}}", "{headers: {x: {exact: '1'}}}", true)]
    [InlineData("{headers: {x: {exact: '1'}}}", "{headers: {x: {exact: '2'}}}", false)]
    [InlineData("{port: 80}", "{port: 81}", false)]
    [InlineData("{sourceNamespace: a}", "{uri: {prefix: /x}}", false)]
    [InlineData("{sourceNamespace: a}", "{sourceNamespace: a, uri: {prefix: /x}}", true)]
    [InlineData("{sourceLabels: {app: a}}", "{sourceLabels: {app: b}}", false)]
    [InlineData("{ignoreUriCase: true}", "{uri: {prefix: /x}}", false)]
    public void A_delegate_match_must_narrow_a_root_match(string rootMatch, string leafMatch, bool kept)
    {
        var yaml = Root($$"""
              - match: [{{rootMatch}}]
                delegate: {name: leaf, namespace: team}
            """) + $$$"""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: leaf, namespace: team}
            spec:
              http:
              - match: [{{{leafMatch}}}]
                route: [{destination: {host: ratings}}]
            """;

        // The proxy would get the merged route if it were kept, so a missing route means the merge dropped it.
        var proxy = Sidecar("a", new Dictionary<string, string> { ["app"] = "b" });
        Assert.Equal(kept ? 1 : 0, RoutesFor(PushOf(yaml), "root", 80, proxy).Count);
    }
}
