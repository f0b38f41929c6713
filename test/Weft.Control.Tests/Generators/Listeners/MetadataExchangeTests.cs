using Google.Protobuf.WellKnownTypes;
using Weft.Control.Generators.Listeners;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using static Weft.Control.Tests.Support.ListenerTestSupport;

namespace Weft.Control.Tests.Generators.Listeners;

/// <summary>
/// Istio's metadata exchange on a sidecar's listeners, where istiod puts it: the TCP exchange first on every inbound
/// chain, the peer metadata filter first in every connection manager (inbound or outbound config by direction), and
/// nothing on outbound chains' network filters (the outbound end of the TCP exchange is the cluster's filter).
/// </summary>
public sealed class MetadataExchangeTests
{
    private const string Workload = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: app, namespace: default}
        spec: {address: 10.0.0.1, labels: {app: reviews}, ports: {http: 8080, tcp: 5000}}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews.default.svc.cluster.local]
          addresses: [10.0.0.7]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 9080, name: http, protocol: HTTP}, {number: 5000, name: tcp, protocol: TCP}]
          workloadSelector: {labels: {app: reviews}}
        """;

    [Fact]
    public void Every_inbound_chain_starts_with_the_tcp_exchange()
    {
        var push = NewPush(Workload);
        var listener = ListenerOf(Sidecar(push: push), push, "virtualInbound");

        // The loop guard, the passthrough chains, and each port's mTLS and plaintext chains alike.
        Assert.Contains(listener.FilterChains, c => c.Name == "virtualInbound-blackhole");
        Assert.Contains(listener.FilterChains, c => c.FilterChainMatch?.TransportProtocol == "tls");
        Assert.All(listener.FilterChains, chain => AssertTcpExchange(chain.Filters[0]));
        Assert.Equal([MetadataExchangeFilters.FilterName, TelemetryMetrics.FilterName, TcpProxies.Name], Chain(listener, "0.0.0.0_5000").Filters.Select(f => f.Name));
        Assert.Equal([MetadataExchangeFilters.FilterName, ConnectionManagers.Name], Chain(listener, "0.0.0.0_8080").Filters.Select(f => f.Name));
    }

    [Fact]
    public void Inbound_connection_managers_start_with_the_inbound_peer_metadata_filter()
    {
        var push = NewPush(Workload);
        var listener = ListenerOf(Sidecar(push: push), push, "virtualInbound");

        foreach (var name in new[] { "0.0.0.0_8080", "virtualInbound-catchall-http" })
        {
            var filters = Hcm(Chain(listener, name))!.HttpFilters;
            Assert.Equal([MetadataExchangeFilters.FilterName, HttpFilters.FaultName, HttpFilters.CorsName, TelemetryMetrics.FilterName, HttpFilters.RouterName], filters.Select(f => f.Name));
            var (type, config) = MetadataExchangeFilters.Unwrap(filters[0].TypedConfig);
            Assert.Equal(TypeUrls.PeerMetadata, type);
            Assert.Equal(["downstream_discovery", "downstream_propagation"], config!.Fields.Keys.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void A_sidecar_ingress_listener_that_binds_its_port_runs_the_exchange_too()
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
            """);
        var bound = ListenerOf(Sidecar(push: push), push, "10.0.0.1_9080");

        Assert.Equal(TrafficDirection.Inbound, bound.TrafficDirection);
        Assert.All(bound.FilterChains, chain => AssertTcpExchange(chain.Filters[0]));
        Assert.Equal(MetadataExchangeFilters.FilterName, Hcm(Chain(bound, "10.0.0.1_9080"))!.HttpFilters[0].Name);
    }

    [Fact]
    public void Outbound_connection_managers_start_with_the_outbound_peer_metadata_filter_and_outbound_chains_carry_no_tcp_exchange()
    {
        var push = NewPush(Workload);
        var listeners = ListenersOf(Sidecar(ip: "10.0.0.2", name: "client", push: push), push);

        var http = Hcm(Assert.Single(Assert.Single(listeners, l => l.Name == "0.0.0.0_9080").FilterChains))!;
        Assert.Equal([MetadataExchangeFilters.FilterName, HttpFilters.AlpnName, HttpFilters.FaultName, HttpFilters.CorsName, TelemetryMetrics.FilterName, HttpFilters.RouterName], http.HttpFilters.Select(f => f.Name));
        var (type, config) = MetadataExchangeFilters.Unwrap(http.HttpFilters[0].TypedConfig);
        Assert.Equal(TypeUrls.PeerMetadata, type);
        Assert.Equal(["upstream_discovery", "upstream_propagation"], config!.Fields.Keys.Order(StringComparer.Ordinal));

        var outbound = listeners.Where(l => l.TrafficDirection == TrafficDirection.Outbound).ToArray();
        Assert.Contains(outbound, l => l.Name == "10.0.0.7_5000");
        Assert.All(outbound.SelectMany(l => l.FilterChains).SelectMany(c => c.Filters), f => Assert.NotEqual(MetadataExchangeFilters.FilterName, f.Name));
    }

    [Fact]
    public void Proxyless_grpc_clients_get_no_exchange()
    {
        var push = NewPush(Workload);
        var proxy = Sidecar(push: push) with { IsProxylessGrpc = true };

        var listener = Assert.Single(new ListenerGenerator().Generate(proxy, push, new HashSet<string> { "reviews.default.svc.cluster.local:9080" })).Message;
        var manager = ((Listener)listener).ApiListener.ApiListener_.Unpack<HttpConnectionManager>();
        Assert.Equal([HttpFilters.FaultName, HttpFilters.RouterName], manager.HttpFilters.Select(f => f.Name));
    }

    private static void AssertTcpExchange(Filter filter)
    {
        Assert.Equal(MetadataExchangeFilters.FilterName, filter.Name);
        var (type, config) = MetadataExchangeFilters.Unwrap(filter.TypedConfig);
        Assert.Equal(TypeUrls.MetadataExchange, type);
        Assert.Equal(MetadataExchangeFilters.Protocol, MetadataExchangeFilters.ProtocolOf(config));
        Assert.Equal(Value.ForBool(true), config!.Fields["enable_discovery"]);
    }
}
