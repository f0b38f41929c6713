namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>A cluster's load-balancing policy and its parameters, with Envoy's defaults.</summary>
internal sealed record BalancerSettings
{
    /// <summary>Envoy's smallest ring when <c>minimum_ring_size</c> is unset.</summary>
    public const ulong DefaultMinimumRingSize = 1024;

    /// <summary>Envoy's largest ring, both the default and the cap of <c>maximum_ring_size</c>.</summary>
    public const ulong DefaultMaximumRingSize = 8 * 1024 * 1024;

    /// <summary>Envoy's Maglev table size when unset (a prime).</summary>
    public const ulong DefaultMaglevTableSize = 65537;

    public static readonly BalancerSettings RoundRobin = new() { Kind = BalancerKind.RoundRobin };

    public BalancerKind Kind { get; init; }

    /// <summary>LEAST_REQUEST: how many random hosts are compared (power of two choices by default).</summary>
    public int ChoiceCount { get; init; } = 2;

    /// <summary>
    /// LEAST_REQUEST: the exponent of <c>weight / (active + 1)^bias</c> when set; setting it makes the weighted
    /// selection apply even when all weights are equal. Null: 1, used only when weights differ.
    /// </summary>
    public double? ActiveRequestBias { get; init; }

    public ulong MinimumRingSize { get; init; } = DefaultMinimumRingSize;

    public ulong MaximumRingSize { get; init; } = DefaultMaximumRingSize;

    public ulong MaglevTableSize { get; init; } = DefaultMaglevTableSize;

    /// <summary>Ring hash and Maglev place a host by its host name instead of its address.</summary>
    public bool UseHostnameForHashing { get; init; }

    /// <summary>ROUND_ROBIN and LEAST_REQUEST: slow start for hosts that join the cluster; null when off.</summary>
    public SlowStartSettings? SlowStart { get; init; }

    /// <summary>Whether the policy picks by the request's hash (the route's hash policy).</summary>
    public bool UsesHash => Kind is BalancerKind.RingHash or BalancerKind.Maglev;
}
