using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Authorization;

/// <summary>
/// The request an ext_authz filter asks about, as its services see it: the request after the connection manager's
/// processing, the connection it came on (addresses, verified peer, dynamic metadata), its protocol, id and announced
/// size, and the connection's TLS termination (null for plaintext).
/// </summary>
internal sealed record ExtAuthzCheck(RouteRequest Request, AuthorizationInput Connection, string Protocol, string RequestId, long Size)
{
    public Tls.DownstreamTlsFeature? Tls { get; init; }
}
