using Weft.Control.Model;
using Weft.Xds.Envoy.Config.Cluster.V3;
using static Weft.Control.Tests.Support.ClusterTestSupport;

namespace Weft.Control.Tests.Generators.Clusters;

/// <summary>What every outbound cluster carries without a DestinationRule (Istio's defaults, notes §2).</summary>
public sealed class DefaultClusterTests
{
    private const string Reviews = "outbound|80||reviews.default.svc.cluster.local";

    [Fact]
    public void Service_without_rule_gets_istio_defaults()
    {
        var cluster = ClusterNamed(PushOf(Service("reviews") + Workload("r1", "reviews", "10.2.0.1")), Reviews);

        Assert.Equal(Cluster.Types.DiscoveryType.Eds, cluster.Type);
        Assert.Equal(Reviews, cluster.EdsClusterConfig.ServiceName);
        Assert.NotNull(cluster.EdsClusterConfig.EdsConfig.Ads);
        Assert.Equal(0, cluster.EdsClusterConfig.EdsConfig.InitialFetchTimeout.Seconds);
        Assert.Equal(10, cluster.ConnectTimeout.Seconds);
        Assert.Equal(Cluster.Types.LbPolicy.LeastRequest, cluster.LbPolicy);
        Assert.Equal(Reviews + ";", cluster.AltStatName);
        var threshold = Assert.Single(cluster.CircuitBreakers.Thresholds);
        Assert.Equal(uint.MaxValue, threshold.MaxConnections);
        Assert.Equal(uint.MaxValue, threshold.MaxPendingRequests);
        Assert.Equal(uint.MaxValue, threshold.MaxRequests);
        Assert.Equal(uint.MaxValue, threshold.MaxRetries);
        Assert.True(threshold.TrackRemaining);
        Assert.Null(cluster.OutlierDetection);
        Assert.Null(cluster.CommonLbConfig.HealthyPanicThreshold);
    }

    [Fact]
    public void Metadata_names_service_rule_and_subset()
    {
        var push = PushOf(Service("reviews") + Rule("reviews", "subsets:\n- name: v1\n  labels:\n    version: v1"));

        var subset = ClusterNamed(push, "outbound|80|v1|reviews.default.svc.cluster.local");
        var istio = subset.Metadata.FilterMetadata["istio"];

        var service = Assert.Single(istio.Fields["services"].ListValue.Values).StructValue;
        Assert.Equal("reviews.default.svc.cluster.local", service.Fields["host"].StringValue);
        Assert.Equal("reviews", service.Fields["name"].StringValue);
        Assert.Equal("default", service.Fields["namespace"].StringValue);
        Assert.Equal("/apis/networking.istio.io/v1/namespaces/default/destination-rule/dr", istio.Fields["config"].StringValue);
        Assert.Equal("v1", istio.Fields["subset"].StringValue);
    }

    [Fact]
    public void Service_entry_host_names_itself_and_external_is_marked()
    {
        var push = PushOf("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: ext
              namespace: default
            spec:
              hosts: [api.example.com]
              location: MESH_EXTERNAL
              resolution: DNS
              ports:
              - number: 443
                name: tls
                protocol: TLS
            """);

        var cluster = ClusterNamed(push, "outbound|443||api.example.com");
        var istio = cluster.Metadata.FilterMetadata["istio"];

        Assert.Equal("api.example.com", istio.Fields["services"].ListValue.Values[0].StructValue.Fields["name"].StringValue);
        Assert.True(istio.Fields["external"].BoolValue);
        Assert.Equal(Cluster.Types.DiscoveryType.StrictDns, cluster.Type);
        Assert.True(cluster.RespectDnsTtl);
        Assert.Equal("api.example.com", cluster.LoadAssignment.Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.Address);
        Assert.Null(cluster.TransportSocket);
        Assert.Empty(cluster.TransportSocketMatches);
    }

    [Fact]
    public void Headless_service_is_original_destination_on_sidecars_and_eds_on_gateways()
    {
        var push = PushOf(Service("db", clusterIp: "None", ports: "  - name: tcp\n    port: 5432"));
        const string name = "outbound|5432||db.default.svc.cluster.local";

        var sidecar = ClusterNamed(push, name);
        var gateway = ClusterNamed(push, name, Gateway("default"));

        Assert.Equal(Cluster.Types.DiscoveryType.OriginalDst, sidecar.Type);
        Assert.Equal(Cluster.Types.LbPolicy.ClusterProvided, sidecar.LbPolicy);
        Assert.Null(sidecar.EdsClusterConfig);
        Assert.Equal(Cluster.Types.DiscoveryType.Eds, gateway.Type);
        Assert.Equal(name, gateway.EdsClusterConfig.ServiceName);
    }

    [Fact]
    public void Service_entry_passthrough_target_port_overrides_original_destination_port()
    {
        var push = PushOf("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: any
              namespace: default
            spec:
              hosts: [legacy.internal]
              addresses: [10.9.0.0/16]
              resolution: NONE
              ports:
              - number: 80
                name: http
                protocol: HTTP
                targetPort: 8080
            """);

        var cluster = ClusterNamed(push, "outbound|80||legacy.internal");

        Assert.Equal(8080u, cluster.OriginalDstLbConfig.UpstreamPortOverride);
    }

    [Fact]
    public void Auto_detected_port_follows_downstream_protocol_on_sidecars_only()
    {
        // A port whose protocol is neither declared nor implied by its name is sniffed.
        var push = PushOf("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: web
              namespace: default
            spec:
              hosts: [web.internal]
              location: MESH_INTERNAL
              resolution: STATIC
              ports:
              - number: 80
                name: web
              endpoints:
              - address: 10.2.0.1
            """);
        const string name = "outbound|80||web.internal";

        var sidecar = HttpOptions(ClusterNamed(push, name));
        var gateway = HttpOptions(ClusterNamed(push, name, Gateway("default")));

        Assert.NotNull(sidecar!.UseDownstreamProtocolConfig.HttpProtocolOptions);
        Assert.NotNull(sidecar.UseDownstreamProtocolConfig.Http2ProtocolOptions);
        Assert.Null(gateway);
    }

    [Fact]
    public void Grpc_port_is_http2_and_mesh_upgrade_makes_http_ports_http2()
    {
        var yaml = Service("api", ports: "  - name: grpc\n    port: 9000\n  - name: http\n    port: 80");
        var plain = PushOf(yaml);
        var upgraded = PushOf(yaml, MeshConfig.Default with { H2Upgrade = true });

        Assert.NotNull(HttpOptions(ClusterNamed(plain, "outbound|9000||api.default.svc.cluster.local"))!.ExplicitHttpConfig.Http2ProtocolOptions);
        Assert.Null(HttpOptions(ClusterNamed(plain, "outbound|80||api.default.svc.cluster.local")));
        Assert.NotNull(HttpOptions(ClusterNamed(upgraded, "outbound|80||api.default.svc.cluster.local"))!.ExplicitHttpConfig.Http2ProtocolOptions);
    }
}
