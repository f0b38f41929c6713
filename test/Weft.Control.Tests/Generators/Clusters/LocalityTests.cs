using Weft.Control.Model;
using Weft.Xds.Envoy.Config.Endpoint.V3;
using static Weft.Control.Tests.Support.ClusterTestSupport;

namespace Weft.Control.Tests.Generators.Clusters;

/// <summary>Locality grouping, weights and failover priorities (Istio's endpoint builder and core/loadbalancer, notes §2–3).</summary>
public sealed class LocalityTests
{
    private const string Name = "outbound|80||reviews.default.svc.cluster.local";

    private static string Backends() =>
        Service("reviews")
        + Workload("same", "reviews", "10.2.0.1", locality: "us-east/zone-a/rack-1")
        + Workload("zone", "reviews", "10.2.0.2", locality: "us-east/zone-a/rack-2")
        + Workload("region", "reviews", "10.2.0.3", locality: "us-east/zone-b")
        + Workload("far", "reviews", "10.2.0.4", locality: "eu-west/zone-c")
        + Workload("other", "reviews", "10.2.0.5", locality: "ap-south/zone-d");

    private static ProxyNode Client => Sidecar(locality: "us-east/zone-a/rack-1");

    private static Dictionary<string, uint> PriorityByAddress(ClusterLoadAssignment assignment) =>
        assignment.Endpoints.SelectMany(l => l.LbEndpoints.Select(e => (e.Endpoint.Address.SocketAddress.Address, l.Priority)))
            .ToDictionary(p => p.Address, p => p.Priority);

    [Fact]
    public void Endpoints_are_grouped_by_sorted_locality_weighted_by_endpoint_weights()
    {
        var push = PushOf(Service("reviews")
            + Workload("b", "reviews", "10.2.0.2", locality: "us-west/zone-b")
            + Workload("a", "reviews", "10.2.0.1", locality: "us-east/zone-a")
            + Workload("a2", "reviews", "10.2.0.3", locality: "us-east/zone-a").Replace("  locality:", "  weight: 3\n  locality:"));

        var assignment = Assignment(push, Name);

        Assert.Equal(Name, assignment.ClusterName);
        Assert.Equal(["us-east/zone-a", "us-west/zone-b"], assignment.Endpoints.Select(l => l.Locality.Region + "/" + l.Locality.Zone));
        Assert.Equal([4u, 1u], assignment.Endpoints.Select(l => l.LoadBalancingWeight ?? 0));
        Assert.Equal([1u, 3u], assignment.Endpoints[0].LbEndpoints.Select(e => e.LoadBalancingWeight ?? 0).Order());
        Assert.All(assignment.Endpoints.SelectMany(l => l.LbEndpoints), e => Assert.Equal(Weft.Xds.Envoy.Config.Core.V3.HealthStatus.Healthy, e.HealthStatus));
    }

    [Fact]
    public void Without_outlier_detection_all_localities_share_priority_zero()
    {
        var assignment = Assignment(PushOf(Backends()), Name, Client);

        Assert.All(assignment.Endpoints, l => Assert.Equal(0u, l.Priority));
    }

    [Fact]
    public void Outlier_detection_orders_localities_by_proximity_to_the_proxy()
    {
        var push = PushOf(Backends() + Rule("reviews", "trafficPolicy:\n  outlierDetection:\n    consecutive5xxErrors: 1"));

        var priorities = PriorityByAddress(Assignment(push, Name, Client));

        Assert.Equal(0u, priorities["10.2.0.1"]);
        Assert.Equal(1u, priorities["10.2.0.2"]);
        Assert.Equal(2u, priorities["10.2.0.3"]);
        Assert.Equal(3u, priorities["10.2.0.4"]);
        Assert.Equal(3u, priorities["10.2.0.5"]);
    }

    [Fact]
    public void Failover_target_region_comes_before_other_regions()
    {
        var push = PushOf(Backends() + Rule("reviews", """
            trafficPolicy:
              outlierDetection:
                consecutive5xxErrors: 1
              loadBalancer:
                localityLbSetting:
                  enabled: true
                  failover:
                  - from: us-east
                    to: eu-west
            """));

        var cluster = ClusterNamed(push, Name, Client);
        var priorities = PriorityByAddress(Assignment(push, Name, Client));

        Assert.NotNull(cluster.CommonLbConfig.LocalityWeightedLbConfig);
        Assert.Equal(3u, priorities["10.2.0.4"]);
        Assert.Equal(4u, priorities["10.2.0.5"]);
    }

    [Fact]
    public void Failover_priority_labels_split_localities_by_matching_labels()
    {
        var push = PushOf(Service("reviews")
            + Workload("a", "reviews", "10.2.0.1", locality: "us-east/zone-a", labels: "tier: gold")
            + Workload("b", "reviews", "10.2.0.2", locality: "us-east/zone-a", labels: "tier: silver")
            + Workload("c", "reviews", "10.2.0.3", locality: "us-east/zone-b", labels: "tier: gold")
            + Rule("reviews", """
                trafficPolicy:
                  outlierDetection:
                    consecutive5xxErrors: 1
                  loadBalancer:
                    localityLbSetting:
                      failoverPriority:
                      - tier
                      - topology.kubernetes.io/zone
                """));
        var proxy = Sidecar(locality: "us-east/zone-a", labels: new Dictionary<string, string> { ["tier"] = "gold" });

        var assignment = Assignment(push, Name, proxy);
        var priorities = PriorityByAddress(assignment);

        Assert.Equal(0u, priorities["10.2.0.1"]);
        Assert.Equal(1u, priorities["10.2.0.3"]);
        Assert.Equal(2u, priorities["10.2.0.2"]);
        Assert.Equal(3, assignment.Endpoints.Count);
        Assert.All(assignment.Endpoints, l => Assert.Equal(1u, l.LoadBalancingWeight));
    }

    [Fact]
    public void Distribute_reweights_localities_for_the_proxy_and_empties_the_rest()
    {
        var push = PushOf(Backends() + Rule("reviews", """
            trafficPolicy:
              loadBalancer:
                localityLbSetting:
                  distribute:
                  - from: us-east/*
                    to:
                      "us-east/*": 80
                      "eu-west/*": 20
            """));

        var cluster = ClusterNamed(push, Name, Client);
        var assignment = Assignment(push, Name, Client);
        var byRegion = assignment.Endpoints.GroupBy(l => l.Locality.Region).ToDictionary(g => g.Key, g => g.ToArray());

        Assert.NotNull(cluster.CommonLbConfig.LocalityWeightedLbConfig);
        // The wildcard's 80 is shared by the three us-east localities in proportion to their weights, rounded up.
        Assert.Equal([27u, 27u, 27u], byRegion["us-east"].Select(l => l.LoadBalancingWeight ?? 0));
        Assert.Equal(20u, byRegion["eu-west"].Single().LoadBalancingWeight);
        Assert.Empty(byRegion["ap-south"].Single().LbEndpoints);
    }

    [Fact]
    public void Disabled_locality_setting_sends_no_priorities()
    {
        var push = PushOf(Backends() + Rule("reviews", "trafficPolicy:\n  outlierDetection:\n    consecutive5xxErrors: 1\n  loadBalancer:\n    localityLbSetting:\n      enabled: false"));
        var meshOff = PushOf(Backends() + Rule("reviews", "trafficPolicy:\n  outlierDetection:\n    consecutive5xxErrors: 1"), MeshConfig.Default with { LocalityLbSetting = null });

        Assert.All(Assignment(push, Name, Client).Endpoints, l => Assert.Equal(0u, l.Priority));
        Assert.All(Assignment(meshOff, Name, Client).Endpoints, l => Assert.Equal(0u, l.Priority));
    }

    [Fact]
    public void Prioritised_assignments_are_cached_per_proxy_locality()
    {
        var push = PushOf(Backends() + Rule("reviews", "trafficPolicy:\n  outlierDetection:\n    consecutive5xxErrors: 1"));

        var east = PriorityByAddress(Assignment(push, Name, Client));
        var europe = PriorityByAddress(Assignment(push, Name, Sidecar(locality: "eu-west/zone-c")));

        Assert.Equal(0u, east["10.2.0.1"]);
        Assert.Equal(0u, europe["10.2.0.4"]);
        Assert.NotEqual(0u, europe["10.2.0.1"]);
    }

    [Fact]
    public void Unprioritised_assignments_are_shared_between_localities()
    {
        var push = PushOf(Backends());

        var first = new Weft.Control.Generators.Endpoints.EndpointGenerator().Generate(Client, push, new HashSet<string> { Name }).Single();
        var second = new Weft.Control.Generators.Endpoints.EndpointGenerator().Generate(Sidecar(locality: "eu-west/zone-c"), push, new HashSet<string> { Name }).Single();

        Assert.Same(first, second);
    }
}
