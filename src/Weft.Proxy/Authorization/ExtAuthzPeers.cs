using System.Net;
using Weft.Proxy.Tls;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Service.Auth.V3;

namespace Weft.Proxy.Authorization;

/// <summary>
/// The two ends of a connection as Envoy describes them to a gRPC authorization service (<c>AttributeContext.source</c>
/// and <c>destination</c>): their addresses, and on a TLS connection their principals, the URI SAN, else the DNS SAN,
/// else the subject of the peer's certificate (source) and of this proxy's (destination); the peer's certificate,
/// URL-encoded PEM, when the filter asks for it.
/// </summary>
internal static class ExtAuthzPeers
{
    public static AttributeContext.Types.Peer Source(AuthorizationInput connection, DownstreamTlsFeature? tls, bool includeCertificate)
    {
        var source = new AttributeContext.Types.Peer { Address = SocketAddress(connection.DirectRemoteAddress, connection.DirectRemotePort) };
        if (connection.Peer is { } peer)
        {
            source.Principal = peer.UriSans.Count > 0 ? peer.UriSans[0] : peer.DnsSans.Count > 0 ? peer.DnsSans[0] : peer.Subject;
        }

        if (includeCertificate && tls?.EscapedPeerPem is { } certificate)
        {
            source.Certificate = certificate;
        }

        return source;
    }

    /// <param name="service">The destination's service: the requested SNI for a connection check, none for a request.</param>
    public static AttributeContext.Types.Peer Destination(AuthorizationInput connection, DownstreamTlsFeature? tls, string service)
    {
        var destination = new AttributeContext.Types.Peer { Service = service };
        if (connection.DestinationAddress is { } local)
        {
            destination.Address = SocketAddress(local, connection.DestinationPort);
        }

        if (tls is not null)
        {
            destination.Principal = tls.LocalUri;
        }

        return destination;
    }

    private static Address SocketAddress(IPAddress address, int port) =>
        new() { SocketAddress = new Weft.Xds.Envoy.Config.Core.V3.SocketAddress { Address = address.ToString(), PortValue = (uint)port } };
}
