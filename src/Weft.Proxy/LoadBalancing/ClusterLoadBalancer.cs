using Weft.Proxy.Snapshot.Clusters;

namespace Weft.Proxy.LoadBalancing;

/// <summary>
/// Picks an endpoint of a cluster the way Envoy's load balancers do before their policy-specific step: load goes to
/// priority levels by their health (a level's healthy share times the overprovisioning factor, spilling the rest to the
/// next level); within a level, to its healthy hosts, or to all of them when the level is in panic (healthy share below
/// the threshold); with <c>locality_weighted_lb_config</c>, first to a locality by weight. The final pick is weighted
/// round robin for every configured policy for now.
/// </summary>
internal sealed class ClusterLoadBalancer
{
    private readonly Level[] _levels;
    private readonly int[] _load;

    public ClusterLoadBalancer(ClusterModel cluster, LoadAssignment assignment, int seed)
    {
        var factor = assignment.OverprovisioningFactor;
        _levels = assignment.Priorities.Select(p => new Level(p, cluster, factor, seed)).ToArray();
        _load = PriorityLoad(_levels.Select(l => l.Health).ToArray(), _levels.Select(l => l.Total).ToArray());
    }

    /// <summary>Each priority's share of requests in percent, as Envoy computes it from their health.</summary>
    public IReadOnlyList<int> Load => _load;

    public bool HasHosts => _levels.Any(l => l.Total > 0);

    /// <summary>A host for one request; null when the cluster has none to send to.</summary>
    public UpstreamHost? Pick(ulong random)
    {
        if (_levels.Length == 0)
        {
            return null;
        }

        var point = (int)(random % 100);
        for (var i = 0; i < _levels.Length; i++)
        {
            point -= _load[i];
            if (point < 0)
            {
                return _levels[i].Pick(random / 100);
            }
        }

        return _levels[0].Pick(random / 100);
    }

    /// <summary>
    /// Envoy's priority load: normalize the levels' health to 100 (when it adds up to less), then give each level its
    /// normalized health in order until 100 is spent. With no healthy level at all, load follows host counts.
    /// </summary>
    internal static int[] PriorityLoad(int[] health, int[] totals)
    {
        var load = new int[health.Length];
        if (load.Length == 0)
        {
            return load;
        }

        var normalized = Math.Min(100, health.Sum());
        if (normalized == 0)
        {
            var hosts = totals.Sum();
            if (hosts == 0)
            {
                load[0] = 100;
                return load;
            }

            var left = 100;
            for (var i = 0; i < load.Length; i++)
            {
                load[i] = Math.Min(left, totals[i] * 100 / hosts);
                left -= load[i];
            }

            load[Array.FindIndex(totals, t => t > 0)] += left;
            return load;
        }

        var remaining = 100;
        for (var i = 0; i < load.Length; i++)
        {
            load[i] = Math.Min(remaining, health[i] * 100 / normalized);
            remaining -= load[i];
        }

        load[Array.FindIndex(health, h => h > 0)] += remaining;
        return load;
    }

    /// <summary>One priority level: its health, and the pickers for its healthy hosts and (in panic) all of them.</summary>
    private sealed class Level
    {
        private readonly bool _panic;
        private readonly Picker _hosts;

        public Level(IReadOnlyList<LocalityGroup> localities, ClusterModel cluster, uint factor, int seed)
        {
            var all = localities.SelectMany(l => l.Hosts).ToList();
            Total = all.Count;
            var healthy = all.Count(h => h.IsHealthy);
            Health = Total == 0 ? 0 : (int)Math.Min(100, 100L * healthy * factor / (100L * Total));
            var healthyShare = Total == 0 ? 0 : 100.0 * healthy / Total;
            _panic = Total > 0 && cluster.HealthyPanicThreshold > 0 && healthyShare < cluster.HealthyPanicThreshold;

            Func<UpstreamHost, bool> usable = _panic ? _ => true
                : healthy > 0 ? h => h.IsHealthy
                : h => h.IsDegraded;
            _hosts = new Picker(localities, usable, cluster.LocalityWeighted, factor, seed);
        }

        public int Total { get; }

        public int Health { get; }

        public UpstreamHost? Pick(ulong random) => _hosts.Pick();
    }

    /// <summary>Weighted round robin over usable hosts, per locality first when localities carry the weight.</summary>
    private sealed class Picker
    {
        private readonly WeightedRoundRobin<UpstreamHost>? _flat;
        private readonly WeightedRoundRobin<WeightedRoundRobin<UpstreamHost>>? _byLocality;

        public Picker(IReadOnlyList<LocalityGroup> localities, Func<UpstreamHost, bool> usable, bool localityWeighted, uint factor, int seed)
        {
            if (!localityWeighted)
            {
                _flat = new WeightedRoundRobin<UpstreamHost>(localities.SelectMany(l => l.Hosts).Where(usable).Select(h => (h, h.Weight)).ToList(), seed);
                return;
            }

            // A locality's effective weight is its weight scaled by its availability, as Envoy scales it.
            var groups = new List<(WeightedRoundRobin<UpstreamHost>, uint)>();
            foreach (var locality in localities)
            {
                var hosts = locality.Hosts.Where(usable).Select(h => (h, h.Weight)).ToList();
                if (hosts.Count == 0 || locality.Weight == 0)
                {
                    continue;
                }

                var availability = Math.Min(1.0, (double)hosts.Count / locality.Hosts.Count * factor / 100);
                var weight = (uint)Math.Max(1, Math.Round(locality.Weight * availability));
                groups.Add((new WeightedRoundRobin<UpstreamHost>(hosts, seed), weight));
            }

            _byLocality = new WeightedRoundRobin<WeightedRoundRobin<UpstreamHost>>(groups, seed);
        }

        public UpstreamHost? Pick() => _flat is not null ? _flat.Pick() : _byLocality!.Pick()?.Pick();
    }
}
