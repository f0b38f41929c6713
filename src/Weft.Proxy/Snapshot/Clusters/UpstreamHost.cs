using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>
/// One endpoint of a cluster: where to connect (an IP, a host name for DNS clusters, or a unix socket), its weight and
/// health as the control plane reported them, and its locality and priority.
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

    /// <summary>A unix socket endpoint's path (then <see cref="Address"/> is the name standing for it); null for IP and DNS endpoints.</summary>
    public string? Pipe { get; init; }

    /// <summary>The endpoint as logs and <c>/clusters</c> show it: the socket path of a unix socket endpoint, else <c>address:port</c>.</summary>
    public string Display => Pipe ?? Authority;

    /// <summary>The workload behind the endpoint (Istio's endpoint metadata), for telemetry; null when unknown.</summary>
    public Telemetry.WorkloadMetadata? Workload { get; init; }

    /// <summary>The endpoint's <c>envoy.transport_socket_match</c> metadata (<c>key=value</c> lines), which picks its transport socket.</summary>
    public string TransportMatch { get; init; } = string.Empty;
}
