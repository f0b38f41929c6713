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

    /// <summary>
    /// <c>address:port</c>, made once: the router reads it for every request. It follows from Address and Port, so equal
    /// hosts keep equal authorities (a <c>with</c> that changes either would copy a stale one: build a new host instead).
    /// </summary>
    public string Authority { get; } = HostPort.Join(Address, Port);

    /// <summary>The workload behind the endpoint (Istio's endpoint metadata), for telemetry; null when unknown.</summary>
    public Telemetry.WorkloadMetadata? Workload { get; init; }

    /// <summary>The endpoint's <c>envoy.transport_socket_match</c> metadata (<c>key=value</c> lines), which picks its transport socket.</summary>
    public string TransportMatch { get; init; } = string.Empty;
}
