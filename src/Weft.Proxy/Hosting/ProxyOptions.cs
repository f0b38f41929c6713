using Weft.Proxy.Telemetry.AccessLog;

namespace Weft.Proxy.Hosting;

/// <summary>
/// How to run a proxy: who it is, where its control plane is, and where it listens. Addresses are <c>HOST:PORT</c>;
/// port 0 lets the OS choose (the chosen ports are on the started <see cref="ProxyHost"/>).
/// </summary>
public sealed record ProxyOptions
{
    /// <summary>Istio's node id, <c>sidecar~IP~NAME.NAMESPACE~NAMESPACE.svc.cluster.local</c>.</summary>
    public required string NodeId { get; init; }

    /// <summary>The control plane's plaintext xDS address (<c>weft control --xds-address</c>); or use <see cref="SecureXdsAddress"/>.</summary>
    public string? XdsAddress { get; init; }

    /// <summary>
    /// The control plane's TLS port for xDS and its CA (<c>weft control --secure-xds-address</c>, Istio's 15012); needs
    /// <see cref="RootCertFile"/>. With it the proxy gets a workload certificate and can speak Istio mTLS.
    /// </summary>
    public string? SecureXdsAddress { get; init; }

    /// <summary>
    /// Where to ask for the workload certificate (Istio's <c>CA_ADDR</c>), over TLS verified with <see cref="RootCertFile"/>;
    /// by default <see cref="SecureXdsAddress"/>. Given with a plaintext <see cref="XdsAddress"/>, configuration comes in
    /// plaintext and the certificate from this CA.
    /// </summary>
    public string? CaAddress { get; init; }

    /// <summary>The control plane's root certificate (PEM), the only trust the secure connection accepts.</summary>
    public string? RootCertFile { get; init; }

    /// <summary>A file holding the bearer token sent to the control plane and its CA (Istio's istio-token); null sends none.</summary>
    public string? TokenFile { get; init; }

    /// <summary>The SPIFFE trust domain of the workload's identity (<c>spiffe://TD/ns/NS/sa/SA</c>).</summary>
    public string TrustDomain { get; init; } = "cluster.local";

    /// <summary>The lifetime to ask the CA for; null takes the CA's default.</summary>
    public TimeSpan? WorkloadCertTtl { get; init; }

    /// <summary>Which xDS variant to speak; delta, as Istio's agent asks of Envoy since 1.22.</summary>
    public XdsProtocol XdsProtocol { get; init; } = XdsProtocol.Delta;

    /// <summary>Outbound capture: requests routed by their Host (or absolute-form URI).</summary>
    public string OutboundAddress { get; init; } = "127.0.0.1:15001";

    /// <summary>Inbound capture: requests for this proxy's workload.</summary>
    public string InboundAddress { get; init; } = "127.0.0.1:15006";

    /// <summary>Admin API: <c>/ready</c>, <c>/config_dump</c>, <c>/listeners</c>, <c>/clusters</c>, <c>/quitquitquit</c>.</summary>
    public string AdminAddress { get; init; } = "127.0.0.1:15000";

    /// <summary>Prometheus metrics: Istio's standard metrics at <c>/stats/prometheus</c>.</summary>
    public string StatsAddress { get; init; } = "127.0.0.1:15020";

    /// <summary>Health: <c>/healthz/ready</c>.</summary>
    public string HealthAddress { get; init; } = "127.0.0.1:15021";

    /// <summary>
    /// The workload's labels, as a pod's: sent to the control plane as node metadata <c>LABELS</c>, and the source of the
    /// <c>app</c>, <c>version</c> and canonical service and revision its telemetry reports.
    /// </summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Istio's <c>CLUSTER_ID</c>: the cluster the workload runs in (<c>source_cluster</c>/<c>destination_cluster</c>).</summary>
    public string ClusterId { get; init; } = Xds.NodeIdentity.DefaultClusterId;

    /// <summary>The workload's service account (node metadata <c>SERVICE_ACCOUNT</c>); null leaves it to the control plane.</summary>
    public string? ServiceAccount { get; init; }

    /// <summary>
    /// How the workload's traffic reaches the proxy (node metadata <c>INTERCEPTION_MODE</c>, as Istio's
    /// <c>sidecar.istio.io/interceptionMode</c>): REDIRECT (iptables REDIRECT, the default), TPROXY (iptables TPROXY: the
    /// capture listeners become transparent and the workload sees its callers' addresses; needs <c>CAP_NET_ADMIN</c>), or
    /// NONE (no capture: listeners bind for real). Null sends none, which the control plane takes as REDIRECT.
    /// </summary>
    public string? InterceptionMode { get; init; }

    /// <summary>
    /// Where to write the access log, as Istio's mesh <c>accessLogFile</c>: a file path, <c>-</c> or <c>/dev/stdout</c>
    /// for standard output; null or empty for none.
    /// </summary>
    public string? AccessLogPath { get; init; }

    /// <summary>Istio's mesh <c>accessLogEncoding</c>: its default text format or its default JSON format.</summary>
    public AccessLogEncoding AccessLogEncoding { get; init; } = AccessLogEncoding.Text;

    /// <summary>How long stopping waits for requests in flight before cutting them.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// How often an open TCP connection's bytes, and an open gRPC stream's message counts, go into Istio's metrics (the
    /// stats filter's <c>tcp_reporting_duration</c>, 5 s by default), so they show before it closes.
    /// </summary>
    public TimeSpan TcpReportingInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First and longest delay between attempts to reach the control plane.</summary>
    internal TimeSpan ReconnectInitial { get; init; } = TimeSpan.FromMilliseconds(500);

    internal TimeSpan ReconnectMaximum { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The random values requests draw (weighted clusters, runtime fractions, load balancing, fault shares, retry
    /// back-off); tests fix it.
    /// </summary>
    internal Func<ulong>? Random { get; init; }

    /// <summary>Called with what the proxy decided once each request on the outbound or inbound listener is over.</summary>
    internal Action<Http.ProxyRequestInfo>? RequestCompleted { get; init; }
}

/// <summary>The two ways an ADS stream can carry configuration.</summary>
public enum XdsProtocol
{
    /// <summary>Incremental: each response carries what changed and what was removed.</summary>
    Delta,

    /// <summary>State of the world: each response carries every resource of its type that was asked for.</summary>
    StateOfTheWorld,
}
