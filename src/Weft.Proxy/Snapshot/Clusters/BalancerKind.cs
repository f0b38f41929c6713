namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>Envoy's load-balancing policies (<c>lb_policy</c>) this proxy serves.</summary>
internal enum BalancerKind
{
    RoundRobin,
    LeastRequest,
    Random,
    RingHash,
    Maglev,

    /// <summary>ORIGINAL_DST clusters: the destination comes with the request, nothing is balanced.</summary>
    ClusterProvided,
}
