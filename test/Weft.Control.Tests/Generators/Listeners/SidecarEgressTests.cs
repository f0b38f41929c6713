using Weft.Control.Model;
using static Weft.Control.Tests.Support.ListenerTestSupport;

namespace Weft.Control.Tests.Generators.Listeners;

/// <summary>Sidecar <c>egress</c> listeners and <c>outboundTrafficPolicy</c>: explicit binds, scoped routes, catch-all policy.</summary>
public sealed class SidecarEgressTests
{
    private const string Services = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews.default.svc.cluster.local]
          addresses: [10.0.0.7]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 9080, name: http, protocol: HTTP}]
          endpoints: [{address: 10.1.0.1}]
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: ratings, namespace: other}
        spec:
          hosts: [ratings.other.svc.cluster.local]
          addresses: [10.0.0.8]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 9080, name: http, protocol: HTTP}, {number: 8443, name: https, protocol: HTTPS}]
          endpoints: [{address: 10.1.0.2}]
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: mysql, namespace: default}
        spec:
          hosts: [mysql.default.svc.cluster.local]
          addresses: [10.0.0.9]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 3306, name: tcp, protocol: TCP}]
          endpoints: [{address: 10.1.0.3}]
        """;

    private const string ExplicitEgress = Services + """

        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: default}
        spec:
          egress:
          - port: {number: 9080, protocol: HTTP, name: http}
            captureMode: NONE
            hosts: [./reviews.default.svc.cluster.local]
          - hosts: ["*/*"]
        """;

    [Fact]
    public void Egress_port_with_capture_mode_none_binds_loopback_for_real()
    {
        var push = NewPush(ExplicitEgress);
        var listener = ListenerOf(Sidecar(), push, "127.0.0.1_9080");

        Assert.True(listener.BindToPort);
        Assert.Equal("127.0.0.1", listener.Address.SocketAddress.Address);
        var chain = Assert.Single(listener.FilterChains);
        Assert.Null(chain.FilterChainMatch);
        Assert.Equal("rds:9080", Target(chain));

        // The catch-all egress listener still builds the captured path of the port (a different bind), and both read
        // the same route configuration, which the explicit listener scopes.
        var captured = ListenerOf(Sidecar(), push, "0.0.0.0_9080");
        Assert.False(captured.BindToPort);
        Assert.Equal("rds:9080", Target(Assert.Single(captured.FilterChains)));
        Assert.Contains(ListenersOf(Sidecar(), push), l => l.Name == "10.0.0.9_3306" && l.BindToPort == false);
    }

    [Fact]
    public void Route_of_an_egress_port_only_holds_the_hosts_the_listener_imports()
    {
        var push = NewPush(ExplicitEgress);
        var route = RouteOf(Sidecar(), push, "9080")!;

        Assert.Equal(["reviews.default.svc.cluster.local:9080", "allow_any"], route.VirtualHosts.Select(v => v.Name));

        // Without the Sidecar the same port serves both hosts.
        var open = RouteOf(Sidecar(), NewPush(Services), "9080")!;
        Assert.Equal(["ratings.other.svc.cluster.local:9080", "reviews.default.svc.cluster.local:9080", "allow_any"], open.VirtualHosts.Select(v => v.Name));
    }

    [Fact]
    public void Egress_bind_is_used_as_the_listener_address()
    {
        var push = NewPush(Services + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: default}
            spec:
              egress:
              - port: {number: 3306, protocol: TCP, name: tcp}
                bind: 127.0.0.2
                captureMode: NONE
                hosts: [./mysql.default.svc.cluster.local]
            """);
        var listeners = ListenersOf(Sidecar(), push);

        var mysql = Assert.Single(listeners, l => l.Name == "127.0.0.2_3306");
        Assert.True(mysql.BindToPort);
        Assert.Equal("outbound|3306||mysql.default.svc.cluster.local", Target(Assert.Single(mysql.FilterChains)));

        // No catch-all egress listener: nothing else is imported.
        Assert.Equal(["127.0.0.2_3306", "virtualOutbound", "virtualInbound"], listeners.Select(l => l.Name));
    }

    [Fact]
    public void Egress_hosts_filter_by_namespace()
    {
        var push = NewPush(Services + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: default}
            spec:
              egress:
              - hosts: [other/*]
            """);
        var names = ListenersOf(Sidecar(), push).Select(l => l.Name).ToArray();

        Assert.Contains("0.0.0.0_9080", names);
        Assert.Contains("10.0.0.8_8443", names);
        Assert.DoesNotContain("10.0.0.9_3306", names);
        Assert.Equal(["ratings.other.svc.cluster.local:9080", "allow_any"], RouteOf(Sidecar(), push, "9080")!.VirtualHosts.Select(v => v.Name));
    }

    [Fact]
    public void Proxy_without_interception_binds_egress_listeners_on_loopback()
    {
        var push = NewPush(Services + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: default}
            spec:
              egress:
              - port: {number: 9080, protocol: HTTP, name: http}
                hosts: ["*/*"]
            """);
        var listener = ListenerOf(Sidecar(interception: "NONE"), push, "127.0.0.1_9080");

        Assert.True(listener.BindToPort);
    }

    [Fact]
    public void Sidecar_registry_only_overrides_an_allow_any_mesh()
    {
        var push = NewPush(Services + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: default}
            spec:
              outboundTrafficPolicy: {mode: REGISTRY_ONLY}
            """);

        Assert.Equal("BlackHoleCluster", Target(Chain(ListenerOf(Sidecar(), push, "virtualOutbound"), "virtualOutbound-catchall-tcp")));
        Assert.Equal("BlackHoleCluster", Target(ListenerOf(Sidecar(), push, "0.0.0.0_9080").DefaultFilterChain));
        var catchAll = RouteOf(Sidecar(), push, "9080")!.VirtualHosts[^1];
        Assert.Equal("block_all", catchAll.Name);
        Assert.Equal(502u, catchAll.Routes[0].DirectResponse.Status);

        // Proxies in other namespaces keep the mesh default.
        Assert.Equal("allow_any", RouteOf(Sidecar(ns: "other"), push, "9080")!.VirtualHosts[^1].Name);
    }

    [Fact]
    public void Sidecar_allow_any_overrides_a_registry_only_mesh_and_egress_proxy_takes_unknown_traffic()
    {
        var push = NewPush(Services + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: default}
            spec:
              outboundTrafficPolicy:
                mode: ALLOW_ANY
                egressProxy: {host: egress.istio-system.svc.cluster.local, port: {number: 443}}
            """, MeshConfig.Default with { AllowAny = false });
        const string Egress = "outbound|443||egress.istio-system.svc.cluster.local";

        Assert.Equal(Egress, Target(Chain(ListenerOf(Sidecar(), push, "virtualOutbound"), "virtualOutbound-catchall-tcp")));
        Assert.Equal(Egress, Target(ListenerOf(Sidecar(), push, "0.0.0.0_9080").DefaultFilterChain));
        var catchAll = RouteOf(Sidecar(), push, "9080")!.VirtualHosts[^1];
        Assert.Equal("allow_any", catchAll.Name);
        Assert.Equal(Egress, catchAll.Routes[0].Route_.Cluster);
    }

    [Fact]
    public void Detected_port_route_holds_only_its_host_for_any_domain()
    {
        var push = NewPush("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: legacy, namespace: default}
            spec:
              hosts: [legacy.default.svc.cluster.local]
              addresses: [10.0.0.20]
              location: MESH_INTERNAL
              resolution: STATIC
              ports: [{number: 7000, name: legacy}]
              endpoints: [{address: 10.1.0.20}]
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: legacy2, namespace: default}
            spec:
              hosts: [legacy2.default.svc.cluster.local]
              addresses: [10.0.0.21]
              location: MESH_INTERNAL
              resolution: STATIC
              ports: [{number: 7000, name: legacy}]
              endpoints: [{address: 10.1.0.21}]
            """);
        var route = RouteOf(Sidecar(), push, "legacy.default.svc.cluster.local:7000")!;

        var vhost = Assert.Single(route.VirtualHosts);
        Assert.Equal("legacy.default.svc.cluster.local:7000", vhost.Name);
        Assert.Equal(["*"], vhost.Domains);
        Assert.Equal("outbound|7000||legacy.default.svc.cluster.local", vhost.Routes[0].Route_.Cluster);
    }
}
