using Weft.Control.Generators.Listeners;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using static Weft.Control.Tests.Support.ListenerTestSupport;

namespace Weft.Control.Tests.Generators.Listeners;

/// <summary>A sidecar's inbound side: virtualInbound chains for the ports its workload serves, or its Sidecar's ingress.</summary>
public sealed class SidecarInboundTests
{
    private const string Workload = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: app, namespace: default}
        spec:
          address: 10.0.0.1
          labels: {app: reviews}
          ports: {http: 8080, grpc: 9090}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews.default.svc.cluster.local]
          addresses: [10.0.0.7]
          location: MESH_INTERNAL
          resolution: STATIC
          ports:
          - {number: 9080, name: http, protocol: HTTP}
          - {number: 9090, name: grpc, protocol: GRPC}
          - {number: 5000, name: tcp-data, protocol: TCP}
          - {number: 6000, name: sniffed}
          workloadSelector: {labels: {app: reviews}}
        """;

    [Fact]
    public void Virtual_inbound_has_the_loop_guard_then_passthrough_then_one_chain_per_target_port_ascending()
    {
        var push = NewPush(Workload);
        var listener = ListenerOf(Sidecar(push: push), push, "virtualInbound");

        Assert.Equal(15006u, listener.Address.SocketAddress.PortValue);
        // No PeerAuthentication: PERMISSIVE, so each port has its mTLS chains beside the plaintext ones.
        Assert.Equal(
            [
                "virtualInbound-blackhole",
                "virtualInbound-catchall-http", "virtualInbound-catchall-http", "virtualInbound", "virtualInbound", "virtualInbound",
                "0.0.0.0_5000", "0.0.0.0_5000", "0.0.0.0_5000",
                "0.0.0.0_6000", "0.0.0.0_6000", "0.0.0.0_6000", "0.0.0.0_6000", "0.0.0.0_6000",
                "0.0.0.0_8080", "0.0.0.0_8080",
                "0.0.0.0_9090", "0.0.0.0_9090",
            ],
            listener.FilterChains.Select(c => c.Name));
        Assert.Equal(15006u, listener.FilterChains[0].FilterChainMatch.DestinationPort);
        Assert.Equal("BlackHoleCluster", Target(listener.FilterChains[0]));
        Assert.Equal("InboundPassthroughCluster", Target(Chain(listener, "virtualInbound")));
        Assert.Equal("inline:InboundPassthroughCluster", Target(Chain(listener, "virtualInbound-catchall-http")));
        Assert.Null(listener.FilterChains[1].FilterChainMatch.DestinationPort);
    }

    [Fact]
    public void Http_chain_routes_everything_to_the_inbound_cluster_of_its_target_port()
    {
        var push = NewPush(Workload);
        var chain = Chain(ListenerOf(Sidecar(push: push), push, "virtualInbound"), "0.0.0.0_8080");

        Assert.Equal(8080u, chain.FilterChainMatch.DestinationPort);
        Assert.Equal("raw_buffer", chain.FilterChainMatch.TransportProtocol);
        var hcm = Hcm(chain)!;
        Assert.Equal("inbound_0.0.0.0_8080;", hcm.StatPrefix);
        Assert.Equal("inbound|8080||", hcm.RouteConfig.Name);
        var vhost = Assert.Single(hcm.RouteConfig.VirtualHosts);
        Assert.Equal("inbound|http|9080", vhost.Name);
        Assert.Equal(["*"], vhost.Domains);
        var route = Assert.Single(vhost.Routes);
        Assert.Equal("default", route.Name);
        Assert.Equal("inbound|8080||", route.Route_.Cluster);
        Assert.Equal(0, route.Route_.Timeout.Seconds);
        Assert.Equal("reset-before-request", route.Route_.RetryPolicy.RetryOn);
        Assert.Equal("reviews.default.svc.cluster.local:9080/*", route.Decorator.Operation);
        Assert.Equal("istio-envoy", hcm.ServerName);
    }

    [Fact]
    public void Grpc_port_speaks_http2_and_is_not_retried()
    {
        var push = NewPush(Workload);
        var hcm = Hcm(Chain(ListenerOf(Sidecar(push: push), push, "virtualInbound"), "0.0.0.0_9090"))!;

        Assert.NotNull(hcm.Http2ProtocolOptions);
        Assert.Null(hcm.RouteConfig.VirtualHosts[0].Routes[0].Route_.RetryPolicy);
    }

    [Fact]
    public void Tcp_and_detected_ports_get_tcp_chains_and_http_detection_where_needed()
    {
        var push = NewPush(Workload);
        var listener = ListenerOf(Sidecar(push: push), push, "virtualInbound");

        Assert.Equal("inbound|5000||", Target(Chain(listener, "0.0.0.0_5000")));
        var sniffed = listener.FilterChains.Where(c => c.Name == "0.0.0.0_6000").ToArray();
        Assert.Equal(["inline:inbound|6000||", "inline:inbound|6000||", "inbound|6000||", "inbound|6000||", "inbound|6000||"], sniffed.Select(Target));
        Assert.Equal(["http/1.1", "h2c"], sniffed[1].FilterChainMatch.ApplicationProtocols);

        // Every port has a chain matching TLS, so the TLS inspector runs everywhere but on the loop guard.
        Assert.Equal([ListenerFilters.OriginalDstName, ListenerFilters.TlsInspectorName, ListenerFilters.HttpInspectorName], listener.ListenerFilters.Select(f => f.Name));
        Assert.Equal(15006, listener.ListenerFilters[1].FilterDisabled.DestinationPortRange.Start);
        // The HTTP inspector only runs where a chain needs it: not on the loop guard, HTTP-only or TCP-only ports.
        var disabled = listener.ListenerFilters[2].FilterDisabled.OrMatch.Rules.Select(r => r.DestinationPortRange.Start).ToArray();
        Assert.Equal([5000, 8080, 9090, 15006], disabled);
    }

    [Fact]
    public void Inbound_clusters_send_to_the_original_destination_from_the_passthrough_address()
    {
        var push = NewPush(Workload);
        var cluster = Assert.Single(ClustersOf(Sidecar(push: push), push), c => c.Name == "inbound|8080||");

        Assert.Equal(Cluster.Types.DiscoveryType.OriginalDst, cluster.Type);
        Assert.Equal("127.0.0.6", cluster.UpstreamBindConfig.SourceAddress.Address);
        Assert.True(cluster.CleanupInterval.Seconds > 9_000_000_000L);
        Assert.Equal(
            ["inbound|5000||", "inbound|6000||", "inbound|8080||", "inbound|9090||"],
            ClustersOf(Sidecar(push: push), push).Where(c => c.Name.StartsWith("inbound|", StringComparison.Ordinal)).Select(c => c.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Sidecar_ingress_replaces_service_ports_and_binds_for_real_with_capture_mode_none()
    {
        var push = NewPush(Workload + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: reviews, namespace: default}
            spec:
              workloadSelector: {labels: {app: reviews}}
              ingress:
              - port: {number: 9080, protocol: HTTP, name: http}
                defaultEndpoint: 127.0.0.1:8080
                captureMode: NONE
              - port: {number: 9443, protocol: TCP, name: tcp}
                defaultEndpoint: 0.0.0.0:8443
            """);
        var proxy = Sidecar(push: push);
        var listeners = ListenersOf(proxy, push);

        var bound = Assert.Single(listeners, l => l.Name == "10.0.0.1_9080");
        Assert.True(bound.BindToPort);
        Assert.Equal(("10.0.0.1", 9080u), (bound.Address.SocketAddress.Address, bound.Address.SocketAddress.PortValue));
        Assert.DoesNotContain(bound.ListenerFilters, f => f.Name == ListenerFilters.OriginalDstName);
        Assert.Equal(2, bound.FilterChains.Count);
        var http = Chain(bound, "10.0.0.1_9080");
        Assert.Equal("inline:inbound|9080||", Target(http));
        Assert.Equal("/apis/networking.istio.io/v1/namespaces/default/sidecar/reviews", http.Metadata.FilterMetadata["istio"].Fields["config"].StringValue);
        Assert.Equal("reviews.default:9080/*", Hcm(http)!.RouteConfig.VirtualHosts[0].Routes[0].Decorator.Operation);

        var virtualInbound = listeners.Single(l => l.Name == "virtualInbound");
        Assert.Equal("inbound|9443||", Target(Chain(virtualInbound, "10.0.0.1_9443")));
        Assert.DoesNotContain(virtualInbound.FilterChains, c => c.Name.EndsWith("_8080", StringComparison.Ordinal));

        var clusters = ClustersOf(proxy, push).Where(c => c.Name.StartsWith("inbound|", StringComparison.Ordinal)).ToDictionary(c => c.Name);
        Assert.Equal(["inbound|9080||", "inbound|9443||"], clusters.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Cluster.Types.DiscoveryType.Static, clusters["inbound|9080||"].Type);
        Assert.Equal(("127.0.0.1", 8080u), EndpointOf(clusters["inbound|9080||"]));
        Assert.Null(clusters["inbound|9080||"].UpstreamBindConfig);
        Assert.Equal(("10.0.0.1", 8443u), EndpointOf(clusters["inbound|9443||"]));
        Assert.Equal("127.0.0.6", clusters["inbound|9443||"].UpstreamBindConfig.SourceAddress.Address);
    }

    [Fact]
    public void Ingress_without_default_endpoint_uses_the_original_destination_and_unix_endpoints_a_pipe()
    {
        var push = NewPush(Workload + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: default}
            spec:
              inboundConnectionPool: {tcp: {maxConnections: 7}}
              ingress:
              - port: {number: 9080, protocol: HTTP, name: http}
              - port: {number: 9081, protocol: HTTP, name: http-uds}
                defaultEndpoint: unix:///var/run/app.sock
            """);
        var clusters = ClustersOf(Sidecar(push: push), push).ToDictionary(c => c.Name);

        Assert.Equal(Cluster.Types.DiscoveryType.OriginalDst, clusters["inbound|9080||"].Type);
        Assert.Equal("/var/run/app.sock", clusters["inbound|9081||"].LoadAssignment.Endpoints[0].LbEndpoints[0].Endpoint.Address.Pipe.Path);
        Assert.Equal(7u, clusters["inbound|9080||"].CircuitBreakers.Thresholds[0].MaxConnections);
    }

    [Fact]
    public void Tproxy_interception_makes_the_capture_listeners_transparent_and_keeps_the_callers_address()
    {
        var push = NewPush(Workload);
        var listeners = ListenersOf(Sidecar(push: push, interception: "TPROXY"), push);
        var inbound = listeners.Single(l => l.Name == "virtualInbound");
        var outbound = listeners.Single(l => l.Name == "virtualOutbound");

        Assert.True(inbound.Transparent);
        Assert.True(outbound.Transparent);
        Assert.Equal(
            [ListenerFilters.OriginalDstName, ListenerFilters.OriginalSrcName, ListenerFilters.TlsInspectorName, ListenerFilters.HttpInspectorName],
            inbound.ListenerFilters.Select(f => f.Name));
        var source = inbound.ListenerFilters[1].TypedConfig.Unpack<Weft.Xds.Envoy.Extensions.Filters.Listener.OriginalSrc.V3.OriginalSrc>();
        Assert.Equal(1337u, source.Mark);
        Assert.False(source.BindPort);

        // REDIRECT (the default) has neither.
        var redirected = ListenerOf(Sidecar(push: push), push, "virtualInbound");
        Assert.Null(redirected.Transparent);
        Assert.DoesNotContain(redirected.ListenerFilters, f => f.Name == ListenerFilters.OriginalSrcName);
    }

    [Fact]
    public void Proxy_without_interception_and_without_ingress_has_no_inbound_side()
    {
        var push = NewPush(Workload);
        var proxy = Sidecar(push: push, interception: "NONE");

        Assert.DoesNotContain(ListenersOf(proxy, push), l => l.TrafficDirection == Weft.Xds.Envoy.Config.Core.V3.TrafficDirection.Inbound);
        Assert.DoesNotContain(ClustersOf(proxy, push), c => c.Name.StartsWith("inbound|", StringComparison.Ordinal));
    }

    [Fact]
    public void Proxy_without_interception_binds_every_ingress_port()
    {
        var push = NewPush(Workload + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: default}
            spec:
              ingress:
              - port: {number: 9080, protocol: HTTP, name: http}
                bind: 127.0.0.1
                defaultEndpoint: 127.0.0.1:8080
            """);
        var listeners = ListenersOf(Sidecar(push: push, interception: "NONE"), push);

        var inbound = Assert.Single(listeners, l => l.TrafficDirection == Weft.Xds.Envoy.Config.Core.V3.TrafficDirection.Inbound);
        Assert.Equal("127.0.0.1_9080", inbound.Name);
        Assert.True(inbound.BindToPort);
    }

    private static (string, uint) EndpointOf(Cluster cluster)
    {
        var address = cluster.LoadAssignment.Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress;
        return (address.Address, address.PortValue);
    }
}
