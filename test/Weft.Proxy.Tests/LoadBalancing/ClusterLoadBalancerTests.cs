using Weft.Proxy.LoadBalancing;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;

namespace Weft.Proxy.Tests.LoadBalancing;

public sealed class ClusterLoadBalancerTests
{
    private static readonly ClusterModel Cluster = new()
    {
        Name = "c",
        Kind = DiscoveryKind.Eds,
        Connection = new ConnectionSettings(UpstreamProtocol.Http1, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), null, null),
    };

    [Fact]
    public void Equal_weights_rotate()
    {
        var balancer = Balancer(XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80), ("10.0.0.3", 80)));
        var picks = Enumerable.Range(0, 9).Select(i => balancer.Pick((ulong)i)!.Address).ToList();
        Assert.All(picks.Chunk(3), round => Assert.Equal(3, round.Distinct().Count()));
    }

    [Fact]
    public void Weights_interleave_in_proportion()
    {
        var assignment = XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80));
        assignment.Endpoints[0].LbEndpoints[0].LoadBalancingWeight = 3;
        var balancer = Balancer(assignment);
        var picks = Enumerable.Range(0, 400).Select(i => balancer.Pick((ulong)i)!.Address).ToList();
        Assert.Equal(300, picks.Count(a => a == "10.0.0.1"));

        // Smooth: never more than three of the heavier host in a row.
        var run = 0;
        foreach (var pick in picks)
        {
            run = pick == "10.0.0.1" ? run + 1 : 0;
            Assert.True(run <= 3);
        }
    }

    [Fact]
    public void Unhealthy_hosts_get_nothing_unless_the_level_panics()
    {
        var assignment = XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80), ("10.0.0.3", 80));
        assignment.Endpoints[0].LbEndpoints[2].HealthStatus = HealthStatus.Unhealthy;
        var healthy = Balancer(assignment);
        Assert.DoesNotContain("10.0.0.3", Enumerable.Range(0, 30).Select(i => healthy.Pick((ulong)i)!.Address));

        // Two of three down is below the 50% panic threshold: Envoy then balances over every host.
        assignment.Endpoints[0].LbEndpoints[1].HealthStatus = HealthStatus.Unhealthy;
        var panic = Balancer(assignment);
        Assert.Equal(3, Enumerable.Range(0, 30).Select(i => panic.Pick((ulong)i)!.Address).Distinct().Count());
    }

    [Fact]
    public void No_hosts_means_no_pick()
    {
        Assert.Null(Balancer(XdsResources.Assignment("c")).Pick(1));
    }

    [Theory]
    [InlineData(new[] { 100, 100 }, new[] { 100, 0 })]
    [InlineData(new[] { 56, 100 }, new[] { 56, 44 })] // 40% healthy × 1.4 overprovisioning
    [InlineData(new[] { 0, 100 }, new[] { 0, 100 })]
    [InlineData(new[] { 20, 30 }, new[] { 40, 60 })] // normalized when the levels add up to less than 100
    public void Priority_load_follows_health(int[] health, int[] expected) =>
        Assert.Equal(expected, ClusterLoadBalancer.PriorityLoad(health, [10, 10]));

    [Fact]
    public void An_unhealthy_first_priority_spills_to_the_next()
    {
        var assignment = XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80), ("10.0.0.3", 80), ("10.0.0.4", 80), ("10.0.0.5", 80));
        foreach (var lb in assignment.Endpoints[0].LbEndpoints.Skip(2))
        {
            lb.HealthStatus = HealthStatus.Unhealthy;
        }

        var backup = XdsResources.Assignment("c", ("10.0.1.1", 80)).Endpoints[0];
        backup.Priority = 1;
        assignment.Endpoints.Add(backup);
        var balancer = Balancer(assignment);
        Assert.Equal([56, 44], balancer.Load);
        var picks = Enumerable.Range(0, 1000).Select(i => balancer.Pick((ulong)i)!.Address).ToList();
        Assert.Equal(440, picks.Count(a => a == "10.0.1.1"));
    }

    private static ClusterLoadBalancer Balancer(ClusterLoadAssignment assignment) =>
        new(Cluster, LoadAssignmentCompiler.Compile(assignment, namesAllowed: false), seed: 0);
}
