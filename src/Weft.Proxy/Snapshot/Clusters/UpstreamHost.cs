using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>
/// One endpoint of a cluster: where to connect (an IP, or a host name for DNS clusters), its weight and health as the
/// control plane reported them, and its locality and priority.
/// </summary>
internal sealed record UpstreamHost(string Address, int Port, uint Weight, HealthStatus Health, string Region, string Zone, string SubZone, uint Priority, string Hostname)
{
    /// <summary>Usable for traffic: Envoy sends to HEALTHY and UNKNOWN endpoints (DEGRADED only when nothing else is left).</summary>
    public bool IsHealthy => Health is HealthStatus.Healthy or HealthStatus.Unknown;

    public bool IsDegraded => Health == HealthStatus.Degraded;

    public string Authority => HostPort.Join(Address, Port);

    /// <summary>The workload behind the endpoint (Istio's endpoint metadata), for telemetry; null when unknown.</summary>
    public Telemetry.WorkloadMetadata? Workload { get; init; }
}
