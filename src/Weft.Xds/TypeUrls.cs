using Google.Protobuf.Reflection;

namespace Weft.Xds;

/// <summary>
/// The <c>type.googleapis.com/...</c> URLs of the resources served over xDS and of the extension configs packed
/// into <c>typed_config</c>. Each is the full protobuf name of an Envoy message, so it equals Envoy's.
/// </summary>
public static class TypeUrls
{
    private const string P = XdsAssembly.TypeUrlPrefix;

    /// <summary>LDS: <c>envoy.config.listener.v3.Listener</c>.</summary>
    public const string Listener = P + "envoy.config.listener.v3.Listener";

    /// <summary>RDS: <c>envoy.config.route.v3.RouteConfiguration</c>.</summary>
    public const string RouteConfiguration = P + "envoy.config.route.v3.RouteConfiguration";

    /// <summary>CDS: <c>envoy.config.cluster.v3.Cluster</c>.</summary>
    public const string Cluster = P + "envoy.config.cluster.v3.Cluster";

    /// <summary>EDS: <c>envoy.config.endpoint.v3.ClusterLoadAssignment</c>.</summary>
    public const string ClusterLoadAssignment = P + "envoy.config.endpoint.v3.ClusterLoadAssignment";

    /// <summary>SDS: <c>envoy.extensions.transport_sockets.tls.v3.Secret</c>.</summary>
    public const string Secret = P + "envoy.extensions.transport_sockets.tls.v3.Secret";

    // Network filters ("envoy.filters.network.*").
    public const string HttpConnectionManager = P + "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
    public const string TcpProxy = P + "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
    public const string NetworkRbac = P + "envoy.extensions.filters.network.rbac.v3.RBAC";
    public const string NetworkExtAuthz = P + "envoy.extensions.filters.network.ext_authz.v3.ExtAuthz";

    // HTTP filters ("envoy.filters.http.*") and their per-route configs.
    public const string Router = P + "envoy.extensions.filters.http.router.v3.Router";
    public const string HttpFault = P + "envoy.extensions.filters.http.fault.v3.HTTPFault";
    public const string Cors = P + "envoy.extensions.filters.http.cors.v3.Cors";
    public const string CorsPolicy = P + "envoy.extensions.filters.http.cors.v3.CorsPolicy";
    public const string HttpRbac = P + "envoy.extensions.filters.http.rbac.v3.RBAC";
    public const string HttpRbacPerRoute = P + "envoy.extensions.filters.http.rbac.v3.RBACPerRoute";
    public const string HttpExtAuthz = P + "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz";
    public const string JwtAuthentication = P + "envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication";

    /// <summary>An extension config given as a Struct with the type it stands for (cncf/xds; Istio wraps its own filters' configs in it).</summary>
    public const string UdpaTypedStruct = P + "udpa.type.v1.TypedStruct";

    /// <summary>The successor of <see cref="UdpaTypedStruct"/>, with the same fields.</summary>
    public const string XdsTypedStruct = P + "xds.type.v3.TypedStruct";

    /// <summary>Istio's TCP metadata exchange ("istio.metadata_exchange" network and upstream filter), a type of Istio's proxy that Istio sends in a TypedStruct.</summary>
    public const string MetadataExchange = P + "envoy.tcp.metadataexchange.config.MetadataExchange";

    /// <summary>Istio's HTTP peer metadata filter ("istio.metadata_exchange" HTTP filter), sent in a TypedStruct.</summary>
    public const string PeerMetadata = P + "io.istio.http.peer_metadata.Config";

    /// <summary>Istio's ALPN override filter ("istio.alpn") on outbound connection managers.</summary>
    public const string IstioAlpn = P + "istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig";

    /// <summary>Istio's stats filter ("istio.stats"), on HTTP connection managers and TCP filter chains alike.</summary>
    public const string IstioStats = P + "stats.PluginConfig";

    /// <summary>An RBAC permission's <c>uri_template</c> ("envoy.path.match.uri_template.uri_template_matcher").</summary>
    public const string UriTemplateMatch = P + "envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig";

    /// <summary>A <c>typed_per_filter_config</c> value wrapped to be optional or disabled.</summary>
    public const string RouteFilterConfig = P + "envoy.config.route.v3.FilterConfig";

    /// <summary>The file access logger ("envoy.access_loggers.file") in an <c>access_log</c> entry.</summary>
    public const string FileAccessLog = P + "envoy.extensions.access_loggers.file.v3.FileAccessLog";

    /// <summary>The CEL access log filter ("envoy.access_loggers.extension_filters.cel") in an <c>extension_filter</c>.</summary>
    public const string CelAccessLogFilter = P + "envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter";

    // Listener filters ("envoy.filters.listener.*").
    public const string TlsInspector = P + "envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector";
    public const string HttpInspector = P + "envoy.extensions.filters.listener.http_inspector.v3.HttpInspector";
    public const string OriginalDst = P + "envoy.extensions.filters.listener.original_dst.v3.OriginalDst";
    public const string OriginalSrc = P + "envoy.extensions.filters.listener.original_src.v3.OriginalSrc";

    // Transport sockets ("envoy.transport_sockets.tls", "envoy.transport_sockets.raw_buffer").
    public const string UpstreamTlsContext = P + "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";
    public const string DownstreamTlsContext = P + "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
    public const string RawBuffer = P + "envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer";
    public const string SpiffeCertValidatorConfig = P + "envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig";

    /// <summary>A cluster's upstream HTTP options; also the key in <c>typed_extension_protocol_options</c> (without the prefix).</summary>
    public const string HttpProtocolOptions = P + "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    // Retry plugins.
    public const string PreviousHostsPredicate = P + "envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate";
    public const string PreviousPrioritiesConfig = P + "envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig";

    /// <summary>The resource types in the order Istio pushes them: CDS, EDS, LDS, RDS, SDS.</summary>
    public static IReadOnlyList<string> PushOrder { get; } =
        [Cluster, ClusterLoadAssignment, Listener, RouteConfiguration, Secret];

    /// <summary>The type URL of a message type.</summary>
    public static string Of(MessageDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return P + descriptor.FullName;
    }

    /// <summary>"LDS", "RDS", "CDS", "EDS", "SDS" for the resource types; otherwise the URL itself (for logs).</summary>
    public static string ShortName(string typeUrl) => typeUrl switch
    {
        Listener => "LDS",
        RouteConfiguration => "RDS",
        Cluster => "CDS",
        ClusterLoadAssignment => "EDS",
        Secret => "SDS",
        _ => typeUrl,
    };

    /// <summary>
    /// Whether a state-of-the-world request with no resource names asks for every resource of the type
    /// (Listener and Cluster, by the xDS protocol); for the other types it asks for none.
    /// </summary>
    public static bool IsWildcardType(string typeUrl) => typeUrl is Listener or Cluster;
}
