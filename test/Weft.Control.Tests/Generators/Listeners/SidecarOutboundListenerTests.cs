using Weft.Control.Generators.Listeners;
using Weft.Control.Model;
using Weft.Xds.Envoy.Config.Listener.V3;
using static Weft.Control.Tests.Support.ListenerTestSupport;

namespace Weft.Control.Tests.Generators.Listeners;

public sealed class SidecarOutboundListenerTests
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
        metadata: {name: ratings, namespace: default}
        spec:
          hosts: [ratings.default.svc.cluster.local]
          addresses: [10.0.0.8]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 9080, name: http-web, protocol: HTTP}]
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

    [Fact]
    public void Http_services_on_one_port_share_a_wildcard_listener_that_detects_http()
    {
        var push = NewPush(Services);
        var listener = ListenerOf(Sidecar(), push, "0.0.0.0_9080");

        Assert.Equal("0.0.0.0", listener.Address.SocketAddress.Address);
        Assert.Equal(9080u, listener.Address.SocketAddress.PortValue);
        Assert.False(listener.BindToPort);
        var http = Assert.Single(listener.FilterChains);
        Assert.Equal("raw_buffer", http.FilterChainMatch.TransportProtocol);
        Assert.Equal(["http/1.1", "h2c"], http.FilterChainMatch.ApplicationProtocols);
        Assert.Equal("rds:9080", Target(http));
        Assert.Equal("outbound_0.0.0.0_9080;", Hcm(http)!.StatPrefix);

        // TCP to other destinations on the port is not HTTP: it passes through.
        Assert.Equal("PassthroughFilterChain", listener.DefaultFilterChain.Name);
        Assert.Equal("PassthroughCluster", Target(listener.DefaultFilterChain));
        Assert.Equal([ListenerFilters.HttpInspectorName], listener.ListenerFilters.Select(f => f.Name));
        Assert.True(listener.ContinueOnListenerFiltersTimeout);
        Assert.Equal(0, listener.ListenerFiltersTimeout.Seconds);
    }

    [Fact]
    public void Protocol_detection_timeout_comes_from_the_mesh()
    {
        var push = NewPush(Services, MeshConfig.Default with { ProtocolDetectionTimeout = TimeSpan.FromSeconds(5) });

        Assert.Equal(5, ListenerOf(Sidecar(), push, "0.0.0.0_9080").ListenerFiltersTimeout.Seconds);
        Assert.Equal(0, ListenerOf(Sidecar(), push, "10.0.0.9_3306").ListenerFiltersTimeout.Seconds);
    }

    [Fact]
    public void Tcp_service_listens_on_its_address_with_one_chain_and_no_default()
    {
        var push = NewPush(Services);
        var listener = ListenerOf(Sidecar(), push, "10.0.0.9_3306");

        var chain = Assert.Single(listener.FilterChains);
        Assert.Null(chain.FilterChainMatch);
        Assert.Equal("outbound|3306||mysql.default.svc.cluster.local", Target(chain));
        Assert.Null(listener.DefaultFilterChain);
        Assert.Empty(listener.ListenerFilters);
    }

    [Fact]
    public void Detected_port_with_an_address_gets_an_http_chain_with_its_own_route_and_a_tcp_default()
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
            """);
        var listener = ListenerOf(Sidecar(), push, "10.0.0.20_7000");

        var http = Assert.Single(listener.FilterChains);
        Assert.Equal(["http/1.1", "h2c"], http.FilterChainMatch.ApplicationProtocols);
        Assert.Equal("rds:legacy.default.svc.cluster.local:7000", Target(http));
        Assert.Equal("outbound|7000||legacy.default.svc.cluster.local", Target(listener.DefaultFilterChain));
        Assert.Contains(listener.ListenerFilters, f => f.Name == ListenerFilters.HttpInspectorName);
    }

    [Fact]
    public void Cidr_address_becomes_a_wildcard_listener_matching_the_prefix()
    {
        var push = NewPush("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: db-net, namespace: default}
            spec:
              hosts: [db.example.com]
              addresses: [192.168.0.0/16]
              location: MESH_EXTERNAL
              resolution: NONE
              ports: [{number: 5432, name: tcp, protocol: TCP}]
            """);
        var listener = ListenerOf(Sidecar(), push, "0.0.0.0_5432");

        var chain = Assert.Single(listener.FilterChains);
        var range = Assert.Single(chain.FilterChainMatch.PrefixRanges);
        Assert.Equal(("192.168.0.0", 16u), (range.AddressPrefix, range.PrefixLen!.Value));
        Assert.Equal("outbound|5432||db.example.com", Target(chain));
        Assert.Equal("PassthroughCluster", Target(listener.DefaultFilterChain));
    }

    [Fact]
    public void Headless_tcp_service_gets_a_listener_per_endpoint_except_the_proxy_itself()
    {
        var push = NewPush("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: cassandra, namespace: default}
            spec:
              hosts: [cassandra.default.svc.cluster.local]
              location: MESH_INTERNAL
              resolution: NONE
              ports: [{number: 9042, name: tcp-cql, protocol: TCP}]
              workloadSelector: {labels: {app: cassandra}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: cassandra-0, namespace: default}
            spec: {address: 10.2.0.1, labels: {app: cassandra}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: cassandra-1, namespace: default}
            spec: {address: 10.2.0.2, labels: {app: cassandra}}
            """);
        var names = ListenersOf(Sidecar(ip: "10.2.0.2"), push).Select(l => l.Name).ToArray();

        Assert.Contains("10.2.0.1_9042", names);
        Assert.DoesNotContain("10.2.0.2_9042", names);
        Assert.DoesNotContain("0.0.0.0_9042", names);
    }

    [Fact]
    public void Headless_service_entry_without_endpoints_falls_back_to_a_wildcard_listener_matching_sni()
    {
        var push = NewPush("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: external-tls, namespace: default}
            spec:
              hosts: [api.example.com]
              location: MESH_EXTERNAL
              resolution: NONE
              ports: [{number: 443, name: tls, protocol: TLS}]
            """);
        var listener = ListenerOf(Sidecar(), push, "0.0.0.0_443");

        var chain = Assert.Single(listener.FilterChains);
        Assert.Equal(["api.example.com"], chain.FilterChainMatch.ServerNames);
        Assert.Equal("outbound|443||api.example.com", Target(chain));
        Assert.Equal([ListenerFilters.TlsInspectorName], listener.ListenerFilters.Select(f => f.Name));
        Assert.Equal("PassthroughCluster", Target(listener.DefaultFilterChain));
    }

    [Fact]
    public void Http_and_tcp_services_on_one_wildcard_port_merge_into_a_detecting_listener()
    {
        var push = NewPush(Services + """

            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: raw, namespace: default}
            spec:
              hosts: [raw.example.com]
              addresses: [172.16.0.0/12]
              location: MESH_EXTERNAL
              resolution: NONE
              ports: [{number: 9080, name: tcp, protocol: TCP}]
            """);
        var listener = ListenerOf(Sidecar(), push, "0.0.0.0_9080");

        Assert.Equal(2, listener.FilterChains.Count);
        Assert.Contains(listener.FilterChains, c => Target(c) == "rds:9080" && c.FilterChainMatch.ApplicationProtocols.Count == 2);
        Assert.Contains(listener.FilterChains, c => Target(c) == "outbound|9080||raw.example.com" && c.FilterChainMatch.PrefixRanges.Count == 1);
        Assert.Equal("PassthroughFilterChain", listener.DefaultFilterChain.Name);
    }

    [Fact]
    public void Virtual_outbound_hands_off_and_sends_the_rest_through()
    {
        var listener = ListenerOf(Sidecar(), NewPush(Services), "virtualOutbound");

        Assert.True(listener.UseOriginalDst);
        Assert.Equal(15001u, listener.Address.SocketAddress.PortValue);
        Assert.Equal("BlackHoleCluster", Target(Chain(listener, "virtualOutbound-blackhole")));
        Assert.Equal(15001u, Chain(listener, "virtualOutbound-blackhole").FilterChainMatch.DestinationPort);
        Assert.Equal("PassthroughCluster", Target(Chain(listener, "virtualOutbound-catchall-tcp")));
        Assert.Null(listener.Transparent);
    }

    [Fact]
    public void Registry_only_mesh_drops_unknown_destinations()
    {
        var push = NewPush(Services, MeshConfig.Default with { AllowAny = false });

        Assert.Equal("BlackHoleCluster", Target(Chain(ListenerOf(Sidecar(), push, "virtualOutbound"), "virtualOutbound-catchall-tcp")));
        Assert.Equal("BlackHoleCluster", Target(ListenerOf(Sidecar(), push, "0.0.0.0_9080").DefaultFilterChain));
    }

    [Fact]
    public void Proxy_without_interception_binds_loopback_and_has_no_virtual_listeners()
    {
        var push = NewPush(Services);
        var listeners = ListenersOf(Sidecar(interception: "NONE"), push);

        Assert.DoesNotContain(listeners, l => l.Name is "virtualOutbound" or "virtualInbound");
        var http = Assert.Single(listeners, l => l.Name == "127.0.0.1_9080");
        Assert.True(http.BindToPort);
        var chain = Assert.Single(http.FilterChains);
        Assert.Null(chain.FilterChainMatch); // Nothing else can arrive on a port bound for HTTP: no detection.
        Assert.Equal("rds:9080", Target(chain));
        Assert.Null(http.DefaultFilterChain);
        Assert.Empty(http.ListenerFilters);
        Assert.True(Assert.Single(listeners, l => l.Name == "127.0.0.1_3306").BindToPort);
    }

    [Fact]
    public void Udp_ports_get_no_listener()
    {
        var push = NewPush("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: dns, namespace: default}
            spec:
              hosts: [dns.example.com]
              addresses: [10.0.0.53]
              location: MESH_EXTERNAL
              resolution: STATIC
              ports: [{number: 53, name: udp-dns, protocol: UDP}]
              endpoints: [{address: 10.1.0.53}]
            """);

        Assert.DoesNotContain(ListenersOf(Sidecar(), push), l => l.Name.EndsWith("_53", StringComparison.Ordinal));
    }

    [Fact]
    public void Listener_names_and_order_are_stable()
    {
        var push = NewPush(Services);
        var names = ListenersOf(Sidecar(), push).Select(l => l.Name).ToArray();

        Assert.Equal(["0.0.0.0_9080", "10.0.0.9_3306", "virtualOutbound", "virtualInbound"], names);
    }
}
