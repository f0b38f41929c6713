using System.Collections.Frozen;

namespace Weft.Proxy.Telemetry.Expressions;

/// <summary>
/// Envoy's attributes (<c>request.path</c>, <c>response.code</c>, …) an expression can name, resolved from their dotted
/// names once, when the expression is parsed. <see cref="Unknown"/> is a name Envoy does not define or this proxy does
/// not bind: reading it is an evaluation error, as reading a missing attribute is.
/// </summary>
internal enum CelAttribute
{
    Unknown,
    RequestPath,
    RequestUrlPath,
    RequestHost,
    RequestScheme,
    RequestMethod,
    RequestHeaders,
    RequestReferer,
    RequestUserAgent,
    RequestId,
    RequestProtocol,
    RequestQuery,
    RequestDuration,
    RequestSize,
    RequestTime,
    ResponseCode,
    ResponseCodeDetails,
    ResponseGrpcStatus,
    ResponseHeaders,
    ResponseTrailers,
    ResponseSize,
    SourceAddress,
    SourcePort,
    DestinationAddress,
    DestinationPort,
    ConnectionMtls,
    ConnectionRequestedServerName,
    ConnectionTlsVersion,
    ConnectionUriSanPeerCertificate,
    ConnectionUriSanLocalCertificate,
    ConnectionTerminationDetails,
    UpstreamAddress,
    UpstreamPort,
    XdsClusterName,
    XdsRouteName,
}

/// <summary>The attribute names and the top-level names (<c>request</c>, <c>response</c>, …) they live under.</summary>
internal static class CelAttributes
{
    /// <summary>The top-level names of Envoy's attribute vocabulary, bound even when their field is not.</summary>
    public static readonly FrozenSet<string> Roots = FrozenSet.ToFrozenSet(
        ["request", "response", "source", "destination", "connection", "upstream", "xds", "metadata", "filter_state"], StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, CelAttribute> ByName = new Dictionary<string, CelAttribute>(StringComparer.Ordinal)
    {
        ["request.path"] = CelAttribute.RequestPath,
        ["request.url_path"] = CelAttribute.RequestUrlPath,
        ["request.host"] = CelAttribute.RequestHost,
        ["request.scheme"] = CelAttribute.RequestScheme,
        ["request.method"] = CelAttribute.RequestMethod,
        ["request.headers"] = CelAttribute.RequestHeaders,
        ["request.referer"] = CelAttribute.RequestReferer,
        ["request.useragent"] = CelAttribute.RequestUserAgent,
        ["request.id"] = CelAttribute.RequestId,
        ["request.protocol"] = CelAttribute.RequestProtocol,
        ["request.query"] = CelAttribute.RequestQuery,
        ["request.duration"] = CelAttribute.RequestDuration,
        ["request.size"] = CelAttribute.RequestSize,
        ["request.time"] = CelAttribute.RequestTime,
        ["response.code"] = CelAttribute.ResponseCode,
        ["response.code_details"] = CelAttribute.ResponseCodeDetails,
        ["response.grpc_status"] = CelAttribute.ResponseGrpcStatus,
        ["response.headers"] = CelAttribute.ResponseHeaders,
        ["response.trailers"] = CelAttribute.ResponseTrailers,
        ["response.size"] = CelAttribute.ResponseSize,
        ["source.address"] = CelAttribute.SourceAddress,
        ["source.port"] = CelAttribute.SourcePort,
        ["destination.address"] = CelAttribute.DestinationAddress,
        ["destination.port"] = CelAttribute.DestinationPort,
        ["connection.mtls"] = CelAttribute.ConnectionMtls,
        ["connection.requested_server_name"] = CelAttribute.ConnectionRequestedServerName,
        ["connection.tls_version"] = CelAttribute.ConnectionTlsVersion,
        ["connection.uri_san_peer_certificate"] = CelAttribute.ConnectionUriSanPeerCertificate,
        ["connection.uri_san_local_certificate"] = CelAttribute.ConnectionUriSanLocalCertificate,
        ["connection.termination_details"] = CelAttribute.ConnectionTerminationDetails,
        ["upstream.address"] = CelAttribute.UpstreamAddress,
        ["upstream.port"] = CelAttribute.UpstreamPort,
        ["xds.cluster_name"] = CelAttribute.XdsClusterName,
        ["xds.route_name"] = CelAttribute.XdsRouteName,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static CelAttribute Of(string root, string field) =>
        ByName.TryGetValue(root + "." + field, out var attribute) ? attribute : CelAttribute.Unknown;
}

/// <summary>
/// The attributes of one access log entry (a request, a TCP connection) as an expression reads them. Contract: a
/// missing attribute is an error value (<see cref="CelValue.Error"/>), never null, and resolving has no side effects.
/// </summary>
internal interface ICelActivation
{
    CelValue Resolve(CelAttribute attribute);
}
