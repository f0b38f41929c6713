using Weft.Proxy.Snapshot.Filters;
using Weft.Proxy.Snapshot.Routes;

namespace Weft.Proxy.Snapshot.Listeners;

/// <summary>
/// A compiled HttpConnectionManager: where its routes come from (RDS by name, or inline) and the request processing it
/// asks for before routing.
/// </summary>
internal sealed record ConnectionManagerModel
{
    /// <summary>Envoy's per-connection buffer limit when the listener sets none (1 MiB).</summary>
    public const uint DefaultBufferLimit = 1024 * 1024;

    /// <summary>The RDS route configuration name; null when the routes are inline.</summary>
    public string? RouteConfigName { get; init; }

    public RouteTable? InlineRoutes { get; init; }

    public bool UseRemoteAddress { get; init; }

    public bool SkipXffAppend { get; init; }

    public uint XffNumTrustedHops { get; init; }

    /// <summary>The Server header value; Envoy's default is "envoy".</summary>
    public string ServerName { get; init; } = "envoy";

    public ServerHeaderMode ServerHeader { get; init; } = ServerHeaderMode.Overwrite;

    public bool NormalizePath { get; init; }

    public bool MergeSlashes { get; init; }

    public EscapedSlashes EscapedSlashes { get; init; } = EscapedSlashes.KeepUnchanged;

    /// <summary>
    /// The router's <c>suppress_envoy_headers</c> (Istio's <c>proxyHeaders.envoyDebugHeaders.disabled</c>): no
    /// <c>x-envoy-upstream-service-time</c>, <c>x-envoy-overloaded</c> or <c>x-envoy-expected-rq-timeout-ms</c>.
    /// </summary>
    public bool SuppressEnvoyHeaders { get; init; }

    /// <summary>Istio's peer metadata filter (<c>istio.metadata_exchange</c>); null when the manager has none, so no headers are exchanged.</summary>
    public PeerHeaderExchange? PeerHeaders { get; init; }

    /// <summary>Istio's stats filter (<c>istio.stats</c>); null when the manager has none, and its requests count in no standard metric.</summary>
    public Telemetry.Metrics.StatsConfig? Stats { get; init; }

    public bool GenerateRequestId { get; init; } = true;

    public bool PreserveExternalRequestId { get; init; }

    public bool AlwaysSetRequestIdInResponse { get; init; }

    /// <summary>How long a stream may be idle; infinite when disabled. Envoy's default is 5 minutes.</summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public bool StripAnyHostPort { get; init; }

    public bool StripMatchingHostPort { get; init; }

    public bool StripTrailingHostDot { get; init; }

    public string Via { get; init; } = string.Empty;

    /// <summary>Upgrade types (e.g. "websocket") the manager lets through.</summary>
    public IReadOnlySet<string> Upgrades { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The manager's authorization filters (RBAC, ext_authz) in order; null when it has none.</summary>
    public Authorization.HttpAuthorization? Authorization { get; init; }

    /// <summary>The file access logs the manager writes its requests to (<c>access_log</c>).</summary>
    public IReadOnlyList<Telemetry.AccessLog.AccessLogConfig> AccessLogs { get; init; } = [];

    /// <summary>The fault and CORS filters, in the manager's order (they run before the router).</summary>
    public IReadOnlyList<HttpFilterModel> HttpFilters { get; init; } = [];

    /// <summary>Istio's <c>istio.alpn</c>: the ALPN upstream TLS connections offer by upstream HTTP version; null when absent.</summary>
    public AlpnOverrides? Alpn { get; init; }

    /// <summary>
    /// The listener's <c>per_connection_buffer_limit_bytes</c>: how much of a request body the router keeps for retries
    /// and mirrors, unless the route or virtual host sets its own <c>request_body_buffer_limit</c>.
    /// </summary>
    /// <summary>What to do with <c>x-forwarded-client-cert</c> (Envoy's default: remove it).</summary>
    public Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Types.ForwardClientCertDetails ForwardClientCert { get; init; }

    /// <summary>Which details of the client certificate go into <c>x-forwarded-client-cert</c>; null for <c>By</c> and <c>Hash</c> only.</summary>
    public Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Types.SetCurrentClientCertDetails? ClientCertDetails { get; init; }

    public uint BufferLimit { get; init; } = DefaultBufferLimit;
}

internal enum ServerHeaderMode
{
    Overwrite,
    AppendIfAbsent,
    PassThrough,
}

/// <summary>What the connection manager does with <c>%2F</c> and <c>%5C</c> in paths.</summary>
internal enum EscapedSlashes
{
    KeepUnchanged,
    Reject,
    UnescapeAndRedirect,
    UnescapeAndForward,
}
