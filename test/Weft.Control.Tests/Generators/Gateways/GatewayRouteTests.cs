using Weft.Xds.Envoy.Config.Route.V3;
using static Weft.Control.Tests.Support.ListenerTestSupport;

namespace Weft.Control.Tests.Generators.Gateways;

public sealed class GatewayRouteTests
{
    private const string Backend = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: productpage, namespace: bookinfo}
        spec:
          hosts: [productpage.bookinfo.svc.cluster.local]
          addresses: [10.0.0.30]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 9080, name: http, protocol: HTTP}]
          endpoints: [{address: 10.1.0.30}]
        """;

    private static string Gateway(string hosts, string extra = "") => Backend + $$"""

        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: bookinfo}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: {{hosts}}
        {{extra}}
        """;

    private const string BoundVirtualService = """

        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: bookinfo, namespace: bookinfo}
        spec:
          hosts: [bookinfo.example.com, www.bookinfo.example.com]
          gateways: [gw]
          http:
          - match: [{uri: {prefix: /api}}]
            route: [{destination: {host: productpage, port: {number: 9080}}}]
          - route: [{destination: {host: productpage, port: {number: 9080}}}]
        """;

    [Fact]
    public void Virtual_hosts_are_the_hosts_gateway_and_virtual_service_share_with_no_catch_all()
    {
        var push = NewPush(Gateway("[bookinfo.example.com]") + BoundVirtualService);
        var route = RouteOf(Router(), push, "http.80")!;

        var vhost = Assert.Single(route.VirtualHosts);
        Assert.Equal("bookinfo.example.com:80", vhost.Name);
        Assert.Equal(["bookinfo.example.com"], vhost.Domains);
        Assert.Equal("outbound|9080||productpage.bookinfo.svc.cluster.local", vhost.Routes[0].Route_.Cluster);
        Assert.True(route.IgnorePortInHostMatching);
        Assert.False(route.ValidateClusters);
    }

    [Fact]
    public void Hosts_with_the_same_routes_share_one_virtual_host()
    {
        var push = NewPush(Gateway("[\"*.example.com\", bookinfo.example.com]") + BoundVirtualService);
        var vhost = Assert.Single(RouteOf(Router(), push, "http.80")!.VirtualHosts);

        Assert.Equal("bookinfo.example.com:80", vhost.Name);
        Assert.Equal(["bookinfo.example.com", "www.bookinfo.example.com"], vhost.Domains);
    }

    [Fact]
    public void No_bound_virtual_service_gives_a_blackhole_virtual_host_that_answers_404()
    {
        var unbound = BoundVirtualService.Replace("gateways: [gw]", "gateways: [mesh]", StringComparison.Ordinal);
        var route = RouteOf(Router(), NewPush(Gateway("[bookinfo.example.com]") + unbound), "http.80")!;

        var vhost = Assert.Single(route.VirtualHosts);
        Assert.Equal("blackhole:80", vhost.Name);
        Assert.Equal(["*"], vhost.Domains);
        Assert.Empty(vhost.Routes);
    }

    [Fact]
    public void Namespace_qualified_server_hosts_only_take_virtual_services_of_that_namespace()
    {
        var other = BoundVirtualService.Replace("namespace: bookinfo}", "namespace: other}", StringComparison.Ordinal)
            .Replace("gateways: [gw]", "gateways: [bookinfo/gw]", StringComparison.Ordinal)
            .Replace("host: productpage,", "host: productpage.bookinfo.svc.cluster.local,", StringComparison.Ordinal);

        Assert.Equal("blackhole:80", Assert.Single(RouteOf(Router(), NewPush(Gateway("[\"bookinfo/*\"]") + other), "http.80")!.VirtualHosts).Name);
        Assert.Equal("bookinfo.example.com:80", RouteOf(Router(), NewPush(Gateway("[\"other/*\"]") + other), "http.80")!.VirtualHosts[0].Name);
    }

    [Fact]
    public void Https_redirect_requires_tls_on_every_host_of_the_server()
    {
        var push = NewPush(Gateway("[bookinfo.example.com, shop.example.com]").Replace(
            "hosts: [bookinfo.example.com, shop.example.com]",
            "hosts: [bookinfo.example.com, shop.example.com]\n    tls: {httpsRedirect: true}",
            StringComparison.Ordinal) + BoundVirtualService);
        var route = RouteOf(Router(), push, "http.80")!;

        Assert.Equal(["bookinfo.example.com:80", "shop.example.com:80"], route.VirtualHosts.Select(v => v.Name));
        Assert.All(route.VirtualHosts, v => Assert.Equal(VirtualHost.Types.TlsRequirementType.All, v.RequireTls));
        Assert.Empty(route.VirtualHosts[1].Routes);
    }

    [Fact]
    public void Https_route_configuration_serves_only_its_server()
    {
        var push = NewPush(Backend + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: bookinfo}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 443, name: https-a, protocol: HTTPS}
                hosts: [a.example.com]
                tls: {mode: SIMPLE, credentialName: a}
              - port: {number: 443, name: https-b, protocol: HTTPS}
                hosts: [b.example.com]
                tls: {mode: SIMPLE, credentialName: b}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: both, namespace: bookinfo}
            spec:
              hosts: [a.example.com, b.example.com]
              gateways: [gw]
              http:
              - route: [{destination: {host: productpage, port: {number: 9080}}}]
            """);

        Assert.Equal(2, ListenerOf(Router(), push, "0.0.0.0_443").FilterChains.Count);
        Assert.Equal(["a.example.com"], Assert.Single(RouteOf(Router(), push, "https.443.https-a.gw.bookinfo")!.VirtualHosts).Domains);
        Assert.Equal(["b.example.com"], Assert.Single(RouteOf(Router(), push, "https.443.https-b.gw.bookinfo")!.VirtualHosts).Domains);
    }

    [Fact]
    public void Unknown_route_name_gets_an_empty_configuration()
    {
        var route = RouteOf(Router(), NewPush(Gateway("[bookinfo.example.com]")), "http.8081")!;

        Assert.Empty(route.VirtualHosts);
    }
}
