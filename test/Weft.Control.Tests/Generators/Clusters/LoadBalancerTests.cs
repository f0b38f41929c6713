using Weft.Xds.Envoy.Config.Cluster.V3;
using static Weft.Control.Tests.Support.ClusterTestSupport;

namespace Weft.Control.Tests.Generators.Clusters;

/// <summary>DestinationRule <c>loadBalancer</c> on sidecar clusters (Istio's applyLoadBalancer).</summary>
public sealed class LoadBalancerTests
{
    private const string Name = "outbound|80||reviews.default.svc.cluster.local";

    private static Cluster With(string loadBalancer) =>
        ClusterNamed(PushOf(Service("reviews") + Rule("reviews", "trafficPolicy:\n  loadBalancer:\n" + Indent(loadBalancer))), Name);

    [Theory]
    [InlineData("ROUND_ROBIN", Cluster.Types.LbPolicy.RoundRobin)]
    [InlineData("LEAST_REQUEST", Cluster.Types.LbPolicy.LeastRequest)]
    [InlineData("LEAST_CONN", Cluster.Types.LbPolicy.LeastRequest)]
    [InlineData("RANDOM", Cluster.Types.LbPolicy.Random)]
    public void Simple_policy_picks_envoy_policy(string simple, Cluster.Types.LbPolicy expected) =>
        Assert.Equal(expected, With("simple: " + simple).LbPolicy);

    [Fact]
    public void Passthrough_connects_to_original_destination()
    {
        var cluster = With("simple: PASSTHROUGH");

        Assert.Equal(Cluster.Types.DiscoveryType.OriginalDst, cluster.Type);
        Assert.Equal(Cluster.Types.LbPolicy.ClusterProvided, cluster.LbPolicy);
        Assert.Null(cluster.EdsClusterConfig);
    }

    [Fact]
    public void Ring_hash_takes_its_minimum_ring_size()
    {
        var cluster = With("consistentHash:\n  httpHeaderName: x-user\n  ringHash:\n    minimumRingSize: 2048");

        Assert.Equal(Cluster.Types.LbPolicy.RingHash, cluster.LbPolicy);
        Assert.Equal(2048ul, cluster.RingHashLbConfig.MinimumRingSize);
    }

    [Fact]
    public void Consistent_hash_without_algorithm_is_ring_hash_of_deprecated_size_else_1024()
    {
        var sized = With("consistentHash:\n  useSourceIp: true\n  minimumRingSize: 4096");
        var unsized = With("consistentHash:\n  useSourceIp: true");

        Assert.Equal(Cluster.Types.LbPolicy.RingHash, sized.LbPolicy);
        Assert.Equal(4096ul, sized.RingHashLbConfig.MinimumRingSize);
        Assert.Equal(Cluster.Types.LbPolicy.RingHash, unsized.LbPolicy);
        Assert.Equal(1024ul, unsized.RingHashLbConfig.MinimumRingSize);
    }

    [Fact]
    public void Maglev_takes_its_table_size()
    {
        var cluster = With("consistentHash:\n  httpCookie:\n    name: session\n    ttl: 0s\n  maglev:\n    tableSize: 65537");

        Assert.Equal(Cluster.Types.LbPolicy.Maglev, cluster.LbPolicy);
        Assert.Equal(65537ul, cluster.MaglevLbConfig.TableSize);
    }

    [Fact]
    public void Warmup_sets_slow_start_with_istio_defaults()
    {
        var cluster = With("simple: ROUND_ROBIN\nwarmup:\n  duration: 45s");

        var slowStart = cluster.RoundRobinLbConfig.SlowStartConfig;
        Assert.Equal(45, slowStart.SlowStartWindow.Seconds);
        Assert.Equal(1.0, slowStart.Aggression.DefaultValue);
        Assert.Equal(10.0, slowStart.MinWeightPercent.Value);
    }

    [Fact]
    public void Warmup_aggression_and_minimum_percent_are_copied_for_least_request()
    {
        var cluster = With("warmup:\n  duration: 1m\n  aggression: 2.5\n  minimumPercent: 30");

        Assert.Equal(Cluster.Types.LbPolicy.LeastRequest, cluster.LbPolicy);
        var slowStart = cluster.LeastRequestLbConfig.SlowStartConfig;
        Assert.Equal(60, slowStart.SlowStartWindow.Seconds);
        Assert.Equal(2.5, slowStart.Aggression.DefaultValue);
        Assert.Equal(30.0, slowStart.MinWeightPercent.Value);
    }

    [Fact]
    public void Deprecated_warmup_duration_sets_window_only()
    {
        var cluster = With("simple: LEAST_REQUEST\nwarmupDurationSecs: 20s");

        var slowStart = cluster.LeastRequestLbConfig.SlowStartConfig;
        Assert.Equal(20, slowStart.SlowStartWindow.Seconds);
        Assert.Null(slowStart.Aggression);
    }

    private static string Indent(string text) => string.Join('\n', text.Split('\n').Select(l => "    " + l));
}
