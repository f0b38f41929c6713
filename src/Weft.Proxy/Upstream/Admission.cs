namespace Weft.Proxy.Upstream;

/// <summary>Whether a request got past the circuit breakers.</summary>
internal enum AdmissionOutcome
{
    Admitted,

    /// <summary>A circuit breaker is open: Envoy answers 503 with the UO flag.</summary>
    Overflow,

    /// <summary>The request gave up while pending (its timeout fired or the client left).</summary>
    Cancelled,
}

/// <summary>A request's place under a cluster's circuit breakers; disposing it frees the place (once).</summary>
internal readonly struct Admission(ClusterState? cluster, UpstreamEndpoint? host, AdmissionOutcome outcome) : IDisposable
{
    public static readonly Admission Overflow = new(null, null, AdmissionOutcome.Overflow);

    public static readonly Admission Cancelled = new(null, null, AdmissionOutcome.Cancelled);

    public AdmissionOutcome Outcome { get; } = outcome;

    public void Dispose() => cluster?.Release(host);
}
