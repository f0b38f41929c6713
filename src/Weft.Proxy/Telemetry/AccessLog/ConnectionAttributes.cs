using System.Net;
using Weft.Proxy.Tcp;
using Weft.Proxy.Telemetry.Expressions;

namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>
/// Envoy's attributes of one TCP connection (a TCP proxy's, or one a listener logs because no chain took it), for the
/// CEL access log filter. Bound: <c>request.size</c> (bytes from the client), <c>request.duration</c>,
/// <c>request.time</c>, <c>response.size</c> (bytes to the client), <c>source.address</c>, <c>source.port</c>,
/// <c>destination.address</c>, <c>destination.port</c>, <c>connection.mtls</c>,
/// <c>connection.uri_san_peer_certificate</c> and <c>connection.uri_san_local_certificate</c> (mutual TLS this proxy
/// terminated), <c>connection.termination_details</c> (when the proxy closed it), <c>upstream.address</c>,
/// <c>upstream.port</c>, <c>xds.cluster_name</c>. Missing, as in Envoy: every request and response attribute read
/// from headers (a connection has none), <c>response.code</c> and <c>response.code_details</c>. Not bound:
/// <c>connection.requested_server_name</c> and <c>connection.tls_version</c> (the record does not keep them), and what
/// <see cref="RequestAttributes"/> lists as not bound.
/// </summary>
internal sealed class ConnectionAttributes(TcpConnectionRecord connection) : ICelActivation
{
    public CelValue Resolve(CelAttribute attribute) => attribute switch
    {
        CelAttribute.RequestSize => CelValue.Int(connection.ReceivedBytes),
        CelAttribute.RequestDuration => CelValue.Duration(connection.Duration),
        CelAttribute.RequestTime => CelValue.Timestamp(connection.StartTime),
        CelAttribute.ResponseSize => CelValue.Int(connection.SentBytes),
        CelAttribute.SourceAddress => Address(connection.DownstreamRemote) is { } a ? CelValue.String(a) : RequestAttributes.Missing(attribute),
        CelAttribute.SourcePort => connection.DownstreamRemote is IPEndPoint remote ? CelValue.Int(remote.Port) : RequestAttributes.Missing(attribute),
        CelAttribute.DestinationAddress => Address(connection.DownstreamLocal) is { } a ? CelValue.String(a) : RequestAttributes.Missing(attribute),
        CelAttribute.DestinationPort => connection.DownstreamLocal is IPEndPoint local ? CelValue.Int(local.Port) : RequestAttributes.Missing(attribute),
        CelAttribute.ConnectionMtls => CelValue.Bool(connection.MutualTls == true),
        CelAttribute.ConnectionUriSanPeerCertificate when connection.MutualTls == true && connection.SourcePrincipal.Length > 0 => CelValue.String(connection.SourcePrincipal),
        CelAttribute.ConnectionUriSanLocalCertificate when connection.MutualTls == true && connection.DestinationPrincipal.Length > 0 => CelValue.String(connection.DestinationPrincipal),
        CelAttribute.ConnectionTerminationDetails when connection.TerminationDetails.Length > 0 => CelValue.String(connection.TerminationDetails),
        CelAttribute.UpstreamAddress when connection.UpstreamHost.Length > 0 => CelValue.String(connection.UpstreamHost),
        CelAttribute.UpstreamPort when RequestAttributes.Port(connection.UpstreamHost) is { } port => CelValue.Int(port),
        CelAttribute.XdsClusterName when connection.Cluster.Length > 0 => CelValue.String(connection.Cluster),
        _ => RequestAttributes.Missing(attribute),
    };

    private static string? Address(EndPoint? endpoint) =>
        endpoint is IPEndPoint ip ? Snapshot.HostPort.Join(ip.Address.ToString(), ip.Port) : endpoint?.ToString();
}
