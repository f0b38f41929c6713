using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Weft.Proxy.Http;
using Weft.Proxy.Telemetry.Expressions;

namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>
/// Envoy's attributes of one HTTP request, for the CEL access log filter, read from the request's context when it
/// completes (before the context serves another request). Bound:
/// <c>request.path</c> (with the query), <c>request.url_path</c>, <c>request.host</c>, <c>request.scheme</c>,
/// <c>request.method</c>, <c>request.headers</c>, <c>request.referer</c>, <c>request.useragent</c>, <c>request.id</c>,
/// <c>request.protocol</c>, <c>request.query</c>, <c>request.duration</c>, <c>request.size</c> (body bytes),
/// <c>request.time</c>; <c>response.code</c>, <c>response.code_details</c>, <c>response.grpc_status</c>,
/// <c>response.headers</c>, <c>response.trailers</c>, <c>response.size</c> (body bytes); <c>source.address</c>,
/// <c>source.port</c>, <c>destination.address</c>, <c>destination.port</c> (the downstream connection's addresses);
/// <c>connection.mtls</c>, <c>connection.requested_server_name</c>, <c>connection.tls_version</c>,
/// <c>connection.uri_san_peer_certificate</c>, <c>connection.uri_san_local_certificate</c> (TLS this proxy terminated);
/// <c>upstream.address</c>, <c>upstream.port</c>; <c>xds.cluster_name</c>, <c>xds.route_name</c>.
/// Missing, as in Envoy when the request lacks them: a header attribute whose header is absent, <c>response.code</c>
/// when no response was sent, <c>response.grpc_status</c> without a grpc-status, the TLS ones on a plaintext
/// connection, the upstream ones and <c>xds.cluster_name</c> when nothing was forwarded, <c>xds.route_name</c> when
/// no route matched, <c>connection.termination_details</c> (HTTP requests have none).
/// Not bound (reading one is an error, so the filter is false): <c>request.total_size</c>, <c>response.total_size</c>
/// (header bytes are not counted), <c>response.flags</c> (Envoy's bitmask), <c>connection.id</c>,
/// <c>connection.dns_san_*</c>, <c>connection.subject_*</c>, <c>upstream.*</c> other than the address and port,
/// <c>xds.node</c>, <c>xds.*</c> other than the cluster and route names, <c>metadata</c> and <c>filter_state</c>.
/// </summary>
internal sealed class RequestAttributes(ProxyRequestInfo info, int code, string details, long requestBytes, long responseBytes, TimeSpan duration, DateTimeOffset start) : ICelActivation
{
    public CelValue Resolve(CelAttribute attribute)
    {
        var context = info.Context!;
        var request = context.Request;
        var connection = context.Connection;
        switch (attribute)
        {
            case CelAttribute.RequestPath:
                return CelValue.String(ProxyRequestHandler.Target(context));
            case CelAttribute.RequestUrlPath:
                var target = ProxyRequestHandler.Target(context);
                return CelValue.String(target.IndexOf('?', StringComparison.Ordinal) is >= 0 and var q ? target[..q] : target);
            case CelAttribute.RequestQuery:
                var path = ProxyRequestHandler.Target(context);
                return CelValue.String(path.IndexOf('?', StringComparison.Ordinal) is >= 0 and var query ? path[(query + 1)..] : string.Empty);
            case CelAttribute.RequestHost:
                return CelValue.StringOr(request.Host.HasValue ? request.Host.Value : null, "request.host is missing");
            case CelAttribute.RequestScheme:
                return CelValue.String(request.Scheme);
            case CelAttribute.RequestMethod:
                return CelValue.String(request.Method);
            case CelAttribute.RequestHeaders:
                return CelValue.Map(new HeaderAttributeMap(request.Headers, context));
            case CelAttribute.RequestReferer:
                return Header(request.Headers, "referer");
            case CelAttribute.RequestUserAgent:
                return Header(request.Headers, "user-agent");
            case CelAttribute.RequestId:
                return Header(request.Headers, "x-request-id");
            case CelAttribute.RequestProtocol:
                return CelValue.String(request.Protocol);
            case CelAttribute.RequestDuration:
                return CelValue.Duration(duration);
            case CelAttribute.RequestSize:
                return CelValue.Int(requestBytes);
            case CelAttribute.RequestTime:
                return CelValue.Timestamp(start);
            case CelAttribute.ResponseCode:
                return code > 0 ? CelValue.Int(code) : CelValue.Error("response.code is missing: no response was sent");
            case CelAttribute.ResponseCodeDetails:
                return CelValue.StringOr(details.Length > 0 ? details : null, "response.code_details is missing");
            case CelAttribute.ResponseGrpcStatus:
                return GrpcStatus(context);
            case CelAttribute.ResponseHeaders:
                return CelValue.Map(new HeaderAttributeMap(context.Response.Headers));
            case CelAttribute.ResponseTrailers:
                return CelValue.Map(new HeaderAttributeMap(context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers ?? new HeaderDictionary()));
            case CelAttribute.ResponseSize:
                return CelValue.Int(responseBytes);
            case CelAttribute.SourceAddress:
                return connection.RemoteIpAddress is { } remote ? CelValue.String(Snapshot.HostPort.Join(remote.ToString(), connection.RemotePort)) : Missing(attribute);
            case CelAttribute.SourcePort:
                return connection.RemoteIpAddress is null ? Missing(attribute) : CelValue.Int(connection.RemotePort);
            case CelAttribute.DestinationAddress:
                return connection.LocalIpAddress is { } local ? CelValue.String(Snapshot.HostPort.Join(local.ToString(), connection.LocalPort)) : Missing(attribute);
            case CelAttribute.DestinationPort:
                return connection.LocalIpAddress is null ? Missing(attribute) : CelValue.Int(connection.LocalPort);
            case CelAttribute.ConnectionMtls:
                return CelValue.Bool(context.Features.Get<Tls.DownstreamTlsFeature>()?.PeerCertificate is not null);
            case CelAttribute.ConnectionRequestedServerName:
                return CelValue.String(context.Features.Get<Listeners.ConnectionRoute>()?.Facts.ServerName ?? string.Empty);
            case CelAttribute.ConnectionTlsVersion:
                return CelValue.StringOr(context.Features.Get<Tls.DownstreamTlsFeature>()?.Version, "connection.tls_version is missing: the connection is not TLS");
            case CelAttribute.ConnectionUriSanPeerCertificate:
                return context.Features.Get<Tls.DownstreamTlsFeature>()?.PeerCertificate is not null && context.Features.Get<Authorization.PeerIdentity>()?.UriSans is [var peer, ..]
                    ? CelValue.String(peer)
                    : Missing(attribute);
            case CelAttribute.ConnectionUriSanLocalCertificate:
                return context.Features.Get<Tls.DownstreamTlsFeature>()?.LocalUri is { Length: > 0 } own ? CelValue.String(own) : Missing(attribute);
            case CelAttribute.UpstreamAddress:
                return info.UpstreamHost.Length > 0 ? CelValue.String(info.UpstreamHost) : Missing(attribute);
            case CelAttribute.UpstreamPort:
                return Port(info.UpstreamHost) is { } port ? CelValue.Int(port) : Missing(attribute);
            case CelAttribute.XdsClusterName:
                return info.Cluster.Length > 0 ? CelValue.String(info.Cluster) : Missing(attribute);
            case CelAttribute.XdsRouteName:
                return info.Route.Length > 0 ? CelValue.String(info.Route) : Missing(attribute);
            default:
                return Missing(attribute);
        }
    }

    /// <summary>The port of a <c>host:port</c> (an IPv6 host in brackets); null when there is none.</summary>
    internal static int? Port(string hostPort) =>
        hostPort.LastIndexOf(':') is > 0 and var colon && int.TryParse(hostPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null;

    internal static CelValue Missing(CelAttribute attribute) => CelValue.Error($"the attribute {attribute} is missing");

    private static CelValue Header(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) && values.Count > 0 ? CelValue.String(values.ToString()) : CelValue.Error($"the {name} header is missing");

    private static CelValue GrpcStatus(HttpContext context)
    {
        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        var status = trailers is not null && trailers.TryGetValue("grpc-status", out var t) ? t : context.Response.Headers["grpc-status"];
        return long.TryParse(status.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? CelValue.Int(value)
            : CelValue.Error("response.grpc_status is missing");
    }
}
