using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.Upstreams.Http.V3;
using HttpProtocolOptions = Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;

namespace Weft.Proxy.Tests.Snapshot;

public sealed class ClusterCompilerTests
{
    [Fact]
    public void Compiles_every_cluster_the_control_plane_sends_for_the_canary()
    {
        var clusters = Golden.Load("canary.sidecar").OfType<Cluster>().Concat(Golden.Load("canary.workload-entry-v1").OfType<Cluster>())
            .DistinctBy(c => c.Name).Select(ClusterCompiler.Compile).ToDictionary(c => c.Name);

        var v1 = clusters["outbound|8080|v1|product-catalog.default.svc.cluster.local"];
        Assert.Equal(DiscoveryKind.Eds, v1.Kind);
        Assert.Equal("outbound|8080|v1|product-catalog.default.svc.cluster.local", v1.EdsServiceName);
        Assert.Equal(TimeSpan.FromSeconds(10), v1.Connection.ConnectTimeout);
        Assert.Equal(UpstreamProtocol.Http1, v1.Connection.Protocol);
        Assert.Null(v1.Unsupported); // mTLS by transport socket match is left to plaintext for now

        var passthrough = clusters["PassthroughCluster"];
        Assert.Equal(DiscoveryKind.OriginalDst, passthrough.Kind);
        Assert.Equal(UpstreamProtocol.Downstream, passthrough.Connection.Protocol);
        Assert.Equal(TimeSpan.FromMinutes(5), passthrough.Connection.IdleTimeout);

        var inbound = clusters["inbound|18081||"];
        Assert.Equal(DiscoveryKind.OriginalDst, inbound.Kind);
        Assert.Equal("127.0.0.6", inbound.Connection.SourceAddress?.ToString());

        Assert.Equal(DiscoveryKind.Static, clusters["BlackHoleCluster"].Kind);
        Assert.Empty(clusters["BlackHoleCluster"].Inline.Hosts);
    }

    [Fact]
    public void Http2_protocol_options_make_an_h2c_cluster()
    {
        var cluster = XdsResources.EdsCluster("grpc");
        cluster.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"] = Any.Pack(new HttpProtocolOptions
        {
            ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig { Http2ProtocolOptions = new Http2ProtocolOptions() },
        });
        Assert.Equal(UpstreamProtocol.Http2, ClusterCompiler.Compile(cluster).Connection.Protocol);
    }

    [Theory]
    [InlineData("original-dst-round-robin", "an ORIGINAL_DST cluster needs lb_policy CLUSTER_PROVIDED")]
    [InlineData("cluster-provided-static", "lb_policy CLUSTER_PROVIDED is only for ORIGINAL_DST clusters")]
    [InlineData("static-hostname", "is not an IP address")]
    [InlineData("eds-without-config", "an EDS cluster needs eds_cluster_config.eds_config")]
    [InlineData("logical-dns-two", "a LOGICAL_DNS cluster needs exactly one endpoint")]
    [InlineData("custom", "the custom cluster type envoy.clusters.aggregate is not supported")]
    public void Clusters_Envoy_refuses_are_refused(string what, string reason)
    {
        var cluster = what switch
        {
            "original-dst-round-robin" => new Cluster { Name = "c", Type = Cluster.Types.DiscoveryType.OriginalDst },
            "cluster-provided-static" => new Cluster { Name = "c", Type = Cluster.Types.DiscoveryType.Static, LbPolicy = Cluster.Types.LbPolicy.ClusterProvided },
            "static-hostname" => XdsResources.StaticCluster("c", ("example.com", 80)),
            "eds-without-config" => new Cluster { Name = "c", Type = Cluster.Types.DiscoveryType.Eds },
            "logical-dns-two" => WithType(XdsResources.StaticCluster("c", ("a.example", 80), ("b.example", 80)), Cluster.Types.DiscoveryType.LogicalDns),
            _ => new Cluster { Name = "c", ClusterType = new Cluster.Types.CustomClusterType { Name = "envoy.clusters.aggregate" } },
        };
        var e = Assert.Throws<XdsRejectedException>(() => ClusterCompiler.Compile(cluster));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Dns_clusters_keep_host_names_for_the_connection_to_resolve()
    {
        var cluster = WithType(XdsResources.StaticCluster("c", ("api.example.com", 443)), Cluster.Types.DiscoveryType.StrictDns);
        var model = ClusterCompiler.Compile(cluster);
        Assert.Equal("api.example.com:443", Assert.Single(model.Inline.Hosts).Authority);
    }

    [Fact]
    public void A_cluster_needing_upstream_tls_is_kept_but_marked()
    {
        var cluster = XdsResources.EdsCluster("https");
        cluster.TransportSocket = new TransportSocket { Name = "envoy.transport_sockets.tls", TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.UpstreamTlsContext()) };
        Assert.Equal("cluster https needs upstream TLS, which weft proxy does not do yet", ClusterCompiler.Compile(cluster).Unsupported);
    }

    [Fact]
    public void Endpoint_weights_and_priorities()
    {
        var assignment = XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80));
        assignment.Endpoints[0].LbEndpoints[1].LoadBalancingWeight = 3;
        var failover = XdsResources.Assignment("c", ("10.0.1.1", 80)).Endpoints[0];
        failover.Priority = 2;
        assignment.Endpoints.Add(failover);
        var compiled = LoadAssignmentCompiler.Compile(assignment, namesAllowed: false);
        Assert.Equal(3, compiled.Priorities.Count); // 0, an empty 1, and 2
        Assert.Empty(compiled.Priorities[1]);
        Assert.Equal([1u, 3u], compiled.Priorities[0][0].Hosts.Select(h => h.Weight));

        assignment.Endpoints[0].LbEndpoints[0].LoadBalancingWeight = 0;
        Assert.Contains("load_balancing_weight 0", Assert.Throws<XdsRejectedException>(() => LoadAssignmentCompiler.Compile(assignment, false)).Message);
    }

    private static Cluster WithType(Cluster cluster, Cluster.Types.DiscoveryType type)
    {
        cluster.Type = type;
        return cluster;
    }
}
