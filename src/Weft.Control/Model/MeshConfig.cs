namespace Weft.Control.Model;

/// <summary>
/// The mesh-wide settings Istio keeps in its MeshConfig, with Istio's defaults. Passed explicitly (never read from the
/// environment) so tests can vary them.
/// </summary>
public sealed record MeshConfig
{
    public static MeshConfig Default { get; } = new();

    /// <summary>Where mesh-wide Sidecar, PeerAuthentication and DestinationRule defaults live.</summary>
    public string RootNamespace { get; init; } = "istio-system";

    public string TrustDomain { get; init; } = "cluster.local";

    /// <summary>
    /// <c>trustDomainAliases</c>: trust domains treated as this one, so identities under an old trust domain keep
    /// matching AuthorizationPolicy principals during a migration.
    /// </summary>
    public IReadOnlyList<string> TrustDomainAliases { get; init; } = [];

    /// <summary>
    /// <c>caCertificates[].trustDomains</c>: further trust domains whose identities inbound mTLS accepts, besides
    /// <see cref="TrustDomain"/> and its aliases.
    /// </summary>
    public IReadOnlyList<string> CaCertificateTrustDomains { get; init; } = [];

    /// <summary><c>meshMTLS.minProtocolVersion: TLSV1_3</c>: inbound mTLS refuses TLS 1.2 (the default accepts 1.2 and 1.3).</summary>
    public bool MeshMtlsRequiresTls13 { get; init; }

    /// <summary><c>meshMTLS.cipherSuites</c>: the ciphers inbound mTLS offers instead of Istio's list; null when not set.</summary>
    public IReadOnlyList<string>? MeshMtlsCipherSuites { get; init; }

    /// <summary><c>extensionProviders</c>: the external authorization services CUSTOM AuthorizationPolicies name.</summary>
    public IReadOnlyList<ExtensionProvider> ExtensionProviders { get; init; } = [];

    /// <summary>ALLOW_ANY (default) sends unknown destinations to PassthroughCluster; REGISTRY_ONLY blocks them.</summary>
    public bool AllowAny { get; init; } = true;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long listeners wait to detect a protocol; zero waits for ever (Istio's default).</summary>
    public TimeSpan ProtocolDetectionTimeout { get; init; } = TimeSpan.Zero;

    public bool EnableAutoMtls { get; init; } = true;

    /// <summary><c>h2UpgradePolicy: UPGRADE</c>: HTTP/1.1 to the mesh is upgraded to HTTP/2.</summary>
    public bool H2Upgrade { get; init; }

    /// <summary>The default exportTo of services, virtual services and destination rules.</summary>
    public IReadOnlyList<string> DefaultExportTo { get; init; } = ["*"];

    /// <summary>The outbound capture port (virtualOutbound) and inbound capture port (virtualInbound).</summary>
    public int ProxyListenPort { get; init; } = 15001;

    public int ProxyInboundListenPort { get; init; } = 15006;

    /// <summary><c>inboundTrafficPolicy.mode: LOCALHOST</c> sends inbound traffic to 127.0.0.1 instead of the original address.</summary>
    public bool InboundToLocalhost { get; init; }

    /// <summary>
    /// <c>localityLbSetting</c>: the locality load balancing of clusters whose DestinationRule sets none. Istio's default
    /// is enabled with no rules, which orders endpoints by proximity once a cluster has outlier detection.
    /// </summary>
    public Weft.Api.Model.Networking.LocalityLoadBalancerSetting? LocalityLbSetting { get; init; } = new() { Enabled = true };

    /// <summary><c>tcpKeepalive</c>: TCP keepalive for every outbound cluster, before DestinationRule settings; none by default.</summary>
    public Weft.Api.Model.Networking.TcpKeepalive? TcpKeepalive { get; init; }

    /// <summary>
    /// <c>accessLogFile</c>: where every proxy writes its access log (a path, or <c>/dev/stdout</c>); empty, Istio's
    /// default, writes none.
    /// </summary>
    public string AccessLogFile { get; init; } = string.Empty;

    /// <summary><c>accessLogEncoding: JSON</c>; TEXT by default.</summary>
    public bool AccessLogJson { get; init; }

    /// <summary><c>accessLogFormat</c>: a format string (TEXT) or a JSON object of them (JSON); empty for Istio's default.</summary>
    public string AccessLogFormat { get; init; } = string.Empty;

    /// <summary>
    /// <c>disableEnvoyListenerLog</c>: no access log on listeners themselves (the entries of connections no filter chain
    /// takes), whether from <c>accessLogFile</c> or Telemetry.
    /// </summary>
    public bool DisableEnvoyListenerLog { get; init; }

    /// <summary>
    /// <c>defaultProviders</c>: the providers Telemetry uses where no Telemetry resource names any. Istio's standard
    /// installation sets <c>metrics: [prometheus]</c> and no access logging provider (so <c>accessLogFile</c> decides).
    /// </summary>
    public DefaultProviders DefaultProviders { get; init; } = DefaultProviders.Standard;

    /// <summary>
    /// <c>defaultConfig.proxyHeaders</c>: the headers proxies add, for every proxy that does not send a ProxyConfig of its
    /// own (node metadata <c>PROXY_CONFIG</c>); Istio's defaults when not set.
    /// </summary>
    public ProxyHeaders ProxyHeaders { get; init; } = ProxyHeaders.Default;
}

/// <summary>MeshConfig <c>defaultProviders</c>: provider names by telemetry kind.</summary>
public sealed record DefaultProviders
{
    /// <summary>What Istio's standard installation writes into the mesh config.</summary>
    public static DefaultProviders Standard { get; } = new() { Metrics = ["prometheus"] };

    public IReadOnlyList<string> Metrics { get; init; } = [];

    public IReadOnlyList<string> AccessLogging { get; init; } = [];

    public IReadOnlyList<string> Tracing { get; init; } = [];
}
