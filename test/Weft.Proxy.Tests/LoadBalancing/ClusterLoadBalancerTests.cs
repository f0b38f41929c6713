using Weft.Proxy.LoadBalancing;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Upstream;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;

using Counts = Weft.Proxy.LoadBalancing.PriorityLoads.Counts;

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
        var picks = Enumerable.Range(0, 9).Select(i => balancer.Pick((ulong)i)!.Host.Address).ToList();
        Assert.All(picks.Chunk(3), round => Assert.Equal(3, round.Distinct().Count()));
    }

    [Fact]
    public void Weights_interleave_in_proportion()
    {
        var assignment = XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80));
        assignment.Endpoints[0].LbEndpoints[0].LoadBalancingWeight = 3;
        var balancer = Balancer(assignment);
        var picks = Enumerable.Range(0, 400).Select(i => balancer.Pick((ulong)i)!.Host.Address).ToList();
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
        Assert.DoesNotContain("10.0.0.3", Enumerable.Range(0, 30).Select(i => healthy.Pick((ulong)i)!.Host.Address));

        // Two of three down is below the 50% panic threshold: Envoy then balances over every host.
        assignment.Endpoints[0].LbEndpoints[1].HealthStatus = HealthStatus.Unhealthy;
        var panic = Balancer(assignment);
        Assert.Equal(3, Enumerable.Range(0, 30).Select(i => panic.Pick((ulong)i)!.Host.Address).Distinct().Count());
    }

    [Fact]
    public void No_hosts_means_no_pick()
    {
        Assert.Null(Balancer(XdsResources.Assignment("c")).Pick(1));
    }

    [Theory]
    [InlineData(new[] { 10, 10 }, new[] { 100, 0 })]
    [InlineData(new[] { 4, 10 }, new[] { 56, 44 })] // 40% healthy × 1.4 overprovisioning
    [InlineData(new[] { 0, 10 }, new[] { 0, 100 })]
    [InlineData(new[] { 1, 2 }, new[] { 34, 66 })] // 14 and 28 add up to less than 100: normalized, the rounding left to the first
    public void Priority_load_follows_health(int[] healthy, int[] expected)
    {
        // Panic off: a level this unhealthy would otherwise panic (see below).
        var loads = PriorityLoads.Compute(healthy.Select(h => new PriorityLoads.Counts(10, h, 0)).ToList(), 140, 0);
        Assert.Equal(expected, loads.Healthy);
    }

    [Fact]
    public void Degraded_hosts_take_what_healthy_ones_cannot()
    {
        // One level: 2 of 10 healthy (28%), 5 degraded (70%): 98% together, normalized to 28 and 71, the 1 left to healthy.
        var loads = PriorityLoads.Compute([new PriorityLoads.Counts(10, 2, 5)], 140, 50);
        Assert.Equal([29], loads.Healthy);
        Assert.Equal([71], loads.Degraded);
        Assert.False(loads.Panic[0]);
        Assert.Equal((0, true), loads.Choose(99));
    }

    [Fact]
    public void Retry_loads_leave_out_tried_levels_and_share_the_rounding_again_in_level_order()
    {
        // Level 0 tried; level 1 has 1 of 3 healthy (46%), level 2 has 2 of 7 (40%): 86 in all. A first round gives
        // 53 and 46; the point left goes round again to the first level with availability.
        Counts[] levels = [new(2, 2, 0), new(3, 1, 0), new(7, 2, 0)];
        var loads = PriorityLoads.Excluding(levels, 140, [true, false, false], [false, false, false]);
        Assert.NotNull(loads);
        Assert.Equal([0, 54, 46], loads.Healthy);
        Assert.Equal([0, 0, 0], loads.Degraded);

        // Nothing is left once every level with hosts has been tried.
        Assert.Null(PriorityLoads.Excluding(levels, 140, [true, true, true], [false, false, false]));
        Assert.Null(PriorityLoads.Excluding([new(2, 2, 0), new(3, 0, 0)], 140, [true], [false, false]));
    }

    [Fact]
    public void When_every_level_panics_load_follows_host_counts_and_a_zero_threshold_never_panics()
    {
        var panic = PriorityLoads.Compute([new PriorityLoads.Counts(3, 0, 0), new PriorityLoads.Counts(1, 0, 0)], 140, 50);
        Assert.Equal([75, 25], panic.Healthy);
        Assert.All(panic.Panic, Assert.True);

        var off = PriorityLoads.Compute([new PriorityLoads.Counts(3, 0, 0), new PriorityLoads.Counts(1, 0, 0)], 140, 0);
        Assert.Equal([100, 0], off.Healthy);
        Assert.All(off.Panic, Assert.False);
    }

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
        Assert.Equal([56, 44], balancer.Loads.Healthy);
        var picks = Enumerable.Range(0, 1000).Select(i => balancer.Pick((ulong)i)!.Host.Address).ToList();
        Assert.Equal(440, picks.Count(a => a == "10.0.1.1"));
    }

    [Fact]
    public void Least_request_prefers_the_host_with_fewer_requests_in_flight()
    {
        var (balancer, state) = BalancerWithState(XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80)), Policy(BalancerKind.LeastRequest));
        var busy = state.Hosts.Single(h => h.Authority == "10.0.0.1:80");
        busy.ActiveCount = 5;

        // Two choices out of two hosts: the idle one wins unless both draws land on the busy one (a quarter of picks).
        var picks = Enumerable.Range(0, 4000).Select(i => balancer.Pick(Draw(i))!.Host.Address).ToList();
        Assert.InRange(picks.Count(a => a == "10.0.0.1"), 800, 1200);
    }

    [Fact]
    public void Weighted_least_request_divides_weights_by_requests_in_flight()
    {
        var assignment = XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80));
        assignment.Endpoints[0].LbEndpoints[0].LoadBalancingWeight = 4;
        var (balancer, state) = BalancerWithState(assignment, Policy(BalancerKind.LeastRequest));
        state.Hosts.Single(h => h.Authority == "10.0.0.1:80").ActiveCount = 3;

        // 4 / (3 + 1) against 1 / (0 + 1): even.
        var picks = Enumerable.Range(0, 4000).Select(i => balancer.Pick(Draw(i))!.Host.Address).ToList();
        Assert.InRange(picks.Count(a => a == "10.0.0.1"), 1800, 2200);
    }

    [Fact]
    public void Random_ignores_weights_and_spreads()
    {
        var assignment = XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80), ("10.0.0.3", 80), ("10.0.0.4", 80));
        assignment.Endpoints[0].LbEndpoints[0].LoadBalancingWeight = 100;
        var balancer = Balancer(assignment, Policy(BalancerKind.Random));
        var counts = Enumerable.Range(0, 4000).Select(i => balancer.Pick(Draw(i))!.Host.Address).GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(4, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 800, 1200));
    }

    [Fact]
    public void Ejected_hosts_are_skipped_by_every_policy()
    {
        foreach (var kind in new[] { BalancerKind.RoundRobin, BalancerKind.LeastRequest, BalancerKind.Random, BalancerKind.RingHash, BalancerKind.Maglev })
        {
            var model = Policy(kind) with { HealthyPanicThreshold = 0 };
            var (balancer, state) = BalancerWithState(XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80), ("10.0.0.3", 80)), model);
            state.Hosts.Single(h => h.Authority == "10.0.0.2:80").Ejected = true;
            state.HealthChanged();
            var picks = Enumerable.Range(0, 300).Select(i => balancer.Pick(Draw(i), Draw(i + 1000))!.Host.Address).ToHashSet();
            Assert.True(picks.SetEquals(["10.0.0.1", "10.0.0.3"]), $"{kind}: {string.Join(", ", picks)}");
        }
    }

    [Fact]
    public void A_hash_picks_the_same_host_every_time_and_a_missing_hash_picks_at_random()
    {
        foreach (var kind in new[] { BalancerKind.RingHash, BalancerKind.Maglev })
        {
            var balancer = Balancer(XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80), ("10.0.0.3", 80)), Policy(kind));
            var keyed = Enumerable.Range(0, 50).Select(i => balancer.Pick(Draw(i), hash: 12345)!.Authority).Distinct();
            Assert.Single(keyed);
            var unkeyed = Enumerable.Range(0, 300).Select(i => balancer.Pick(Draw(i))!.Authority).Distinct();
            Assert.Equal(3, unkeyed.Count());
        }
    }

    [Fact]
    public void Ring_points_are_xxhash_of_the_address_and_index_and_a_hash_takes_the_next_point()
    {
        // Reference points from libxxhash: XXH64("10.0.0.1:80_0") = 8431885850995268104, XXH64("10.0.0.2:80_0") = 8104747467494260863.
        var model = Policy(BalancerKind.RingHash) with { Balancer = new BalancerSettings { Kind = BalancerKind.RingHash, MinimumRingSize = 2 } };
        var balancer = Balancer(XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80)), model);
        Assert.Equal("10.0.0.2:80", balancer.Pick(0, 8104747467494260863)!.Authority);
        Assert.Equal("10.0.0.1:80", balancer.Pick(0, 8104747467494260864)!.Authority);
        Assert.Equal("10.0.0.1:80", balancer.Pick(0, 8431885850995268104)!.Authority);
        Assert.Equal("10.0.0.2:80", balancer.Pick(0, 8431885850995268105)!.Authority); // past the last point: wraps
    }

    /// <summary>
    /// Envoy spreads the minimum ring size over the hosts there are, so when one of four leaves, each of the three left
    /// gets 342 points instead of 256, and the new points take some keys from their neighbours: a little over a third
    /// of the keys move (1465 of 4000, the figure an independent model of Envoy's ring over libxxhash gives), where
    /// modulo hashing would move three quarters. Every key of the host that left moves; the others mostly stay.
    /// </summary>
    [Fact]
    public void Removing_one_of_four_hosts_moves_its_keys_and_few_others_on_a_ring()
    {
        var four = Balancer(XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80), ("10.0.0.3", 80), ("10.0.0.4", 80)), Policy(BalancerKind.RingHash));
        var three = Balancer(XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80), ("10.0.0.3", 80)), Policy(BalancerKind.RingHash));
        var keys = Enumerable.Range(0, 4000).Select(i => XxHash64.Hash($"user-{i}".AsSpan())).ToList();
        var before = keys.Select(k => four.Pick(0, k)!.Authority).ToList();
        var after = keys.Select(k => three.Pick(0, k)!.Authority).ToList();

        var moved = Enumerable.Range(0, keys.Count).Where(i => before[i] != after[i]).ToList();
        Assert.Equal(1465, moved.Count);
        Assert.All(Enumerable.Range(0, keys.Count).Where(i => before[i] == "10.0.0.4:80"), i => Assert.Contains(i, moved));
        var ofTheOthers = moved.Count(i => before[i] != "10.0.0.4:80");
        Assert.InRange(ofTheOthers, 1, keys.Count / 4); // the rest of the movement is bounded by the new points' share
    }

    [Theory]
    [InlineData(new uint[] { 1, 1, 1 }, "3121322121313")]
    [InlineData(new uint[] { 1, 2, 3 }, "3221322321313")]
    public void Maglev_tables_are_built_as_Envoy_builds_them(uint[] weights, string slots)
    {
        // Reference tables from an independent implementation of Envoy's construction over libxxhash (table size 13);
        // each character is the last digit of the host owning the slot.
        var state = new ClusterState(Cluster, TimeProvider.System, () => 0);
        var assignment = XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80), ("10.0.0.3", 80));
        for (var i = 0; i < weights.Length; i++)
        {
            assignment.Endpoints[0].LbEndpoints[i].LoadBalancingWeight = weights[i];
        }

        var levels = state.Bind(LoadAssignmentCompiler.Compile(assignment, namesAllowed: false));
        var table = new MaglevTable(HashWeights.Normalize(levels[0], _ => true, localityWeighted: false), 13, byHostname: false);
        Assert.Equal(slots, string.Concat(table.Slots.Select(e => e.Authority[7])));
    }

    [Fact]
    public void A_full_size_maglev_table_shares_slots_by_weight()
    {
        var state = new ClusterState(Cluster, TimeProvider.System, () => 0);
        var assignment = XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80), ("10.0.0.3", 80));
        assignment.Endpoints[0].LbEndpoints[1].LoadBalancingWeight = 2;
        assignment.Endpoints[0].LbEndpoints[2].LoadBalancingWeight = 3;
        var levels = state.Bind(LoadAssignmentCompiler.Compile(assignment, namesAllowed: false));
        var table = new MaglevTable(HashWeights.Normalize(levels[0], _ => true, localityWeighted: false), BalancerSettings.DefaultMaglevTableSize, byHostname: false);
        var counts = table.Slots.GroupBy(e => e.Authority).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(10923, counts["10.0.0.1:80"]); // the same counts the reference construction gives
        Assert.Equal(32768, counts["10.0.0.3:80"]);
    }

    [Fact]
    public void Reselection_avoids_the_hosts_given()
    {
        var balancer = Balancer(XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80)), Policy(BalancerKind.Random));
        for (var i = 0; i < 100; i++)
        {
            var first = balancer.Pick(Draw(i))!;
            var second = balancer.Pick(Draw(i), avoid: [first], reselections: 20)!;
            Assert.NotSame(first.State, second.State);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_host_that_joins_during_slow_start_gets_a_share_that_grows_over_the_window(bool leastRequest)
    {
        var kind = leastRequest ? BalancerKind.LeastRequest : BalancerKind.RoundRobin;
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var cluster = Cluster with { Balancer = new BalancerSettings { Kind = kind, SlowStart = new SlowStartSettings(TimeSpan.FromSeconds(10), 1.0, 0.1) } };
        var state = new ClusterState(cluster, clock, () => 0);
        state.Bind(LoadAssignmentCompiler.Compile(XdsResources.Assignment("c", ("10.0.0.1", 80)), namesAllowed: false));

        // Ten minutes on, 10.0.0.1 is long past its window when 10.0.0.2 joins.
        clock.Advance(TimeSpan.FromMinutes(10));
        var both = LoadAssignmentCompiler.Compile(XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80)), namesAllowed: false);
        var balancer = new ClusterLoadBalancer(cluster, state.Bind(both), both.OverprovisioningFactor, state, seed: 0);

        double NewShare() => Enumerable.Range(0, 4000).Count(i => balancer.Pick(Draw(i))!.Host.Address == "10.0.0.2") / 4000.0;

        // Weights 1 and max(10%, t / 10 s): 0.1 / 1.1 at first, 0.5 / 1.5 half way, then an even split.
        Assert.InRange(NewShare(), 0.07, 0.11);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.InRange(NewShare(), 0.30, 0.37);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.InRange(NewShare(), 0.47, 0.53);
    }

    [Fact]
    public void Slow_start_ramps_by_aggression_and_never_below_the_minimum_weight()
    {
        var settings = new SlowStartSettings(TimeSpan.FromSeconds(10), 2.0, 0.2);
        Assert.Equal(0.2, settings.Factor(TimeSpan.Zero));
        Assert.Equal(Math.Sqrt(0.5), settings.Factor(TimeSpan.FromSeconds(5)), 6);
        Assert.Equal(1.0, settings.Factor(TimeSpan.FromSeconds(10)));
    }

    private static ClusterModel Policy(BalancerKind kind) => Cluster with { Balancer = new BalancerSettings { Kind = kind } };

    /// <summary>Well-spread draws, as a proxy's random source gives them.</summary>
    private static ulong Draw(int i) => RandomMix.Derive(42, (ulong)i);

    private static ClusterLoadBalancer Balancer(ClusterLoadAssignment assignment, ClusterModel? cluster = null) =>
        BalancerWithState(assignment, cluster ?? Cluster).Balancer;

    private static (ClusterLoadBalancer Balancer, ClusterState State) BalancerWithState(ClusterLoadAssignment assignment, ClusterModel cluster)
    {
        var compiled = LoadAssignmentCompiler.Compile(assignment, namesAllowed: false);
        var state = new ClusterState(cluster, TimeProvider.System, () => 0);
        return (new ClusterLoadBalancer(cluster, state.Bind(compiled), compiled.OverprovisioningFactor, state, seed: 0), state);
    }
}
