using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Upstream;

namespace Weft.Proxy.LoadBalancing;

/// <summary>
/// Picks an endpoint of a cluster the way Envoy's load balancers do. First a priority level, by the levels' health
/// (<see cref="PriorityLoads"/>), and within it the healthy hosts, the degraded ones, or every host when the level
/// panics; then the policy: round robin, least request or random, after a locality by weight when
/// <c>locality_weighted_lb_config</c> asks for it; or, for ring hash and Maglev, the request's hash both chooses the
/// level and looks up a table built per level over its healthy hosts (all of them in panic), weights normalized with
/// the localities', and a request without a hash gets a random value instead. Health here is EDS health less outlier
/// ejections: the balancer keeps a view of the hosts that is rebuilt, off the picking path's fast lane, whenever the
/// cluster's ejections change.
/// </summary>
internal sealed class ClusterLoadBalancer
{
    private readonly ClusterModel _cluster;
    private readonly IReadOnlyList<IReadOnlyList<EndpointLocality>> _levels;
    private readonly ClusterState _state;
    private readonly uint _overprovisioning;
    private readonly int _seed;
    private readonly object _rebuild = new();
    private volatile View _view;

    public ClusterLoadBalancer(ClusterModel cluster, IReadOnlyList<IReadOnlyList<EndpointLocality>> levels, uint overprovisioning, ClusterState state, int seed)
    {
        _cluster = cluster;
        _levels = levels;
        _state = state;
        _overprovisioning = overprovisioning;
        _seed = seed;
        _view = Build(state.HealthVersion);
    }

    /// <summary>Whether picks use the request's hash (ring hash, Maglev); only then is the route's hash policy worth computing.</summary>
    public bool UsesHash => _cluster.Balancer.UsesHash;

    /// <summary>The priority levels' shares of requests, as now.</summary>
    internal PriorityLoads Loads => Current().Loads;

    /// <summary>
    /// An endpoint for one request attempt; null when the cluster has none to send to. <paramref name="random"/> is the
    /// request's draw; <paramref name="hash"/> the route's hash, used by ring hash and Maglev. Re-selection (Envoy's
    /// <c>host_selection_retry_max_attempts</c>): while the pick is one of <paramref name="avoid"/> (say, the hosts earlier
    /// attempts used) it picks again, up to <paramref name="reselections"/> more times, and returns the last pick.
    /// </summary>
    /// <param name="loads">The priority levels' shares for this pick instead of the cluster's own (a retry's, see
    /// <see cref="LoadsExcluding"/>).</param>
    public UpstreamEndpoint? Pick(ulong random, ulong? hash = null, IReadOnlyCollection<UpstreamEndpoint>? avoid = null, int reselections = 0, PriorityLoads? loads = null)
    {
        var view = Current();
        if (view.Levels.Length == 0)
        {
            return null;
        }

        var shares = loads is not null && loads.Healthy.Length == view.Levels.Length ? loads : view.Loads;

        if (UsesHash)
        {
            var key = hash ?? random;
            var table = view.Levels[shares.Choose(key).Level].Table;
            for (var attempt = 0; ; attempt++)
            {
                var picked = table?.Pick(key, attempt);
                if (picked is null || avoid is null || attempt >= reselections || !avoid.Contains(picked))
                {
                    return picked;
                }
            }
        }

        for (var attempt = 0; ; attempt++)
        {
            var draw = attempt == 0 ? random : RandomMix.Derive(random, (ulong)attempt);
            var (level, degraded) = shares.Choose(draw);
            var hosts = view.Levels[level];
            var picker = hosts.Panic ? hosts.All : degraded ? hosts.Degraded : hosts.Healthy;
            var picked = picker?.Pick(draw / 100);
            if (picked is null || avoid is null || attempt >= reselections || !avoid.Contains(picked))
            {
                return picked;
            }
        }
    }

    /// <summary>The number of priority levels.</summary>
    public int PriorityCount => _levels.Count;

    /// <summary>
    /// The levels' shares of requests with the <paramref name="excluded"/> levels given none (see
    /// <see cref="PriorityLoads.Excluding"/>), for the hosts' health now; null when no other level has availability.
    /// </summary>
    public PriorityLoads? LoadsExcluding(IReadOnlyList<bool> excluded)
    {
        var view = Current();
        return PriorityLoads.Excluding(view.Counts, _overprovisioning, excluded, view.Loads.Panic);
    }

    /// <summary>The view for the cluster's current ejections; a thread that finds another rebuilding keeps the last view.</summary>
    private View Current()
    {
        var view = _view;
        var version = _state.HealthVersion;
        if (view.Version == version || !Monitor.TryEnter(_rebuild))
        {
            return view;
        }

        try
        {
            view = _view;
            if (view.Version != version)
            {
                view = Build(version);
                _view = view;
            }

            return view;
        }
        finally
        {
            Monitor.Exit(_rebuild);
        }
    }

    private View Build(int version)
    {
        var counts = _levels.Select(l =>
        {
            var all = l.SelectMany(g => g.Endpoints).ToList();
            return new PriorityLoads.Counts(all.Count, all.Count(e => e.IsHealthy), all.Count(e => e.IsDegraded));
        }).ToList();
        var loads = PriorityLoads.Compute(counts, _overprovisioning, _cluster.HealthyPanicThreshold);
        var levels = new Level[_levels.Count];
        for (var i = 0; i < levels.Length; i++)
        {
            levels[i] = _cluster.Balancer.UsesHash ? HashLevel(_levels[i], loads.Panic[i]) : PickerLevel(_levels[i], loads.Panic[i]);
        }

        return new View(version, counts, loads, levels);
    }

    private Level HashLevel(IReadOnlyList<EndpointLocality> localities, bool panic)
    {
        var settings = _cluster.Balancer;
        var weights = HashWeights.Normalize(localities, panic ? static _ => true : static e => e.IsHealthy, _cluster.LocalityWeighted);
        HashTable table = settings.Kind == BalancerKind.Maglev
            ? new MaglevTable(weights, settings.MaglevTableSize, settings.UseHostnameForHashing)
            : new HashRing(weights, settings.MinimumRingSize, settings.MaximumRingSize, settings.UseHostnameForHashing);
        return new Level(panic, null, null, null, table);
    }

    private Level PickerLevel(IReadOnlyList<EndpointLocality> localities, bool panic) => new(
        panic,
        Picker(localities.SelectMany(l => l.Endpoints).ToArray()),
        Sourced(localities, static e => e.IsHealthy),
        Sourced(localities, static e => e.IsDegraded),
        null);

    /// <summary>A picker over the endpoints a source admits: by locality first when the cluster weighs localities.</summary>
    private HostPicker Sourced(IReadOnlyList<EndpointLocality> localities, Func<UpstreamEndpoint, bool> eligible)
    {
        if (_cluster.LocalityWeighted)
        {
            // A locality's effective weight is its weight scaled by its availability, as Envoy scales it (kept
            // fine-grained for the integer round robin).
            var weighted = new List<(HostPicker, uint)>();
            foreach (var locality in localities)
            {
                var endpoints = locality.Endpoints.Where(eligible).ToArray();
                if (endpoints.Length == 0 || locality.Weight == 0)
                {
                    continue;
                }

                var availability = Math.Min(1.0, (double)endpoints.Length / locality.Endpoints.Length * _overprovisioning / 100);
                weighted.Add((Picker(endpoints), (uint)Math.Max(1, Math.Round(locality.Weight * availability * 1000))));
            }

            if (weighted.Count > 0)
            {
                return new LocalityPicker(weighted, _seed);
            }
        }

        return Picker(localities.SelectMany(l => l.Endpoints).Where(eligible).ToArray());
    }

    private HostPicker Picker(UpstreamEndpoint[] endpoints)
    {
        var settings = _cluster.Balancer;
        HostPicker picker = settings.Kind switch
        {
            BalancerKind.LeastRequest => new LeastRequestPicker(endpoints, settings.ChoiceCount, settings.ActiveRequestBias),
            BalancerKind.Random => new RandomPicker(endpoints),
            _ => new RoundRobinPicker(endpoints, _seed),
        };
        if (settings.SlowStart is { } slowStart && settings.Kind is BalancerKind.RoundRobin or BalancerKind.LeastRequest)
        {
            // Least request weighs by requests in flight too (bias 1 unless set), as Envoy's weighted path does.
            var bias = settings.Kind == BalancerKind.LeastRequest ? settings.ActiveRequestBias ?? 1.0 : (double?)null;
            picker = new SlowStartPicker(picker, endpoints, slowStart, bias, _state.Time);
        }

        return picker;
    }

    /// <summary>The balancer's picture of the cluster for one state of its ejections.</summary>
    private sealed record View(int Version, IReadOnlyList<PriorityLoads.Counts> Counts, PriorityLoads Loads, Level[] Levels);

    /// <summary>One priority level: whether it panics, and the pickers of its sources (or its hash table).</summary>
    private sealed record Level(bool Panic, HostPicker? All, HostPicker? Healthy, HostPicker? Degraded, HashTable? Table);
}
