namespace Weft.Control.Generators.Clusters;

/// <summary>
/// What PeerAuthentication makes of one workload (Istio's MergedPeerAuthentication): the mode of its ports, and the
/// ports its own policy's <c>portLevelMtls</c> sets differently (an UNSET entry already resolved to <see cref="Mode"/>).
/// </summary>
internal sealed record WorkloadPeerAuthentication(MutualTlsMode Mode, IReadOnlyDictionary<int, MutualTlsMode> PerPort)
{
    public static WorkloadPeerAuthentication Permissive { get; } = new(MutualTlsMode.Permissive, new Dictionary<int, MutualTlsMode>());

    /// <summary>The mode of connections to <paramref name="port"/>; port 0 (no port) is the workload's mode.</summary>
    public MutualTlsMode ForPort(int port) => PerPort.TryGetValue(port, out var mode) ? mode : Mode;
}
