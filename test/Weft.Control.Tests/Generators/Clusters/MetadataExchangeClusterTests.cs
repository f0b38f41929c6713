using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using static Weft.Control.Tests.Support.ClusterTestSupport;

namespace Weft.Control.Tests.Generators.Clusters;

/// <summary>
/// Istio's TCP metadata exchange as a cluster filter (cluster_builder.go applyMetadataExchange): on every outbound
/// service cluster of sidecars and gateways, default and subset alike, and on nothing else.
/// </summary>
public sealed class MetadataExchangeClusterTests
{
    private const string Default = "outbound|80||reviews.default.svc.cluster.local";
    private const string Subset = "outbound|80|v1|reviews.default.svc.cluster.local";

    /// <summary>reviews with a v1 subset; the client proxy's own address serves it too, so the client has an inbound cluster.</summary>
    private static readonly string Mesh =
        Service("reviews")
        + Workload("client", "reviews", ProxyIp)
        + Workload("r1", "reviews", "10.2.0.1", labels: "version: v1")
        + Rule("reviews", "subsets:\n- name: v1\n  labels:\n    version: v1");

    [Fact]
    public void Outbound_service_clusters_of_a_sidecar_carry_the_exchange_and_its_own_clusters_do_not()
    {
        var clusters = AllClusters(PushOf(Mesh)).ToDictionary(c => c.Name);

        AssertExchange(clusters[Default]);
        AssertExchange(clusters[Subset]);
        Assert.Contains("inbound|8080||", clusters.Keys);
        Assert.All(
            clusters.Values.Where(c => !c.Name.StartsWith("outbound|", StringComparison.Ordinal)),
            cluster => Assert.Empty(cluster.Filters));
        Assert.Empty(clusters["PassthroughCluster"].Filters);
        Assert.Empty(clusters["InboundPassthroughCluster"].Filters);
        Assert.Empty(clusters["BlackHoleCluster"].Filters);
    }

    [Fact]
    public void Gateway_outbound_clusters_carry_the_exchange()
    {
        var push = PushOf(Mesh);

        AssertExchange(ClusterNamed(push, Default, Gateway()));
        AssertExchange(ClusterNamed(push, Subset, Gateway()));
    }

    [Fact]
    public void Proxyless_grpc_clusters_carry_no_filters()
    {
        var push = PushOf(Mesh);

        Assert.Empty(ClusterNamed(push, Default, Proxyless()).Filters);
        Assert.Empty(ClusterNamed(push, Subset, Proxyless()).Filters);
    }

    private static void AssertExchange(Cluster cluster)
    {
        var filter = Assert.Single(cluster.Filters);
        Assert.Equal(MetadataExchangeFilters.FilterName, filter.Name);
        var (type, config) = MetadataExchangeFilters.Unwrap(filter.TypedConfig);
        Assert.Equal(TypeUrls.MetadataExchange, type);
        Assert.Equal(MetadataExchangeFilters.Protocol, MetadataExchangeFilters.ProtocolOf(config));
    }
}
