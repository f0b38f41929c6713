using System.Net;
using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Authorization;

/// <summary>
/// What RBAC and ext_authz look at, as Envoy sees a request after its connection manager has processed it (normalized
/// path, Host handling, forwarding headers), or a connection on a TCP chain (no request).
/// </summary>
internal sealed class AuthorizationInput
{
    /// <summary>The request: method, <c>:authority</c>, path and headers; null for a connection on a TCP chain.</summary>
    public RouteRequest? Request { get; init; }

    /// <summary>The downstream peer of the connection (<c>direct_remote_ip</c>, <c>source_ip</c>; Istio's ipBlocks).</summary>
    public required IPAddress DirectRemoteAddress { get; init; }

    public int DirectRemotePort { get; init; }

    /// <summary>The client as the connection manager trusts it: from X-Forwarded-For (<c>remote_ip</c>; remoteIpBlocks).</summary>
    public required IPAddress RemoteAddress { get; init; }

    /// <summary>Where the connection was addressed (its original destination); null when not an IP address.</summary>
    public IPAddress? DestinationAddress { get; init; }

    public int DestinationPort { get; init; }

    /// <summary>The TLS SNI the client asked for; empty for plaintext (<c>requested_server_name</c>; connection.sni).</summary>
    public string ServerName { get; init; } = string.Empty;

    /// <summary>The verified peer certificate's identity; null on plaintext connections.</summary>
    public PeerIdentity? Peer { get; init; }

    /// <summary>Dynamic metadata: what earlier filters (jwt_authn, RBAC shadow rules) left for later ones.</summary>
    public DynamicMetadata Metadata { get; init; } = new();

    /// <summary>Filter state as strings (<c>filter_state</c> principals; e.g. <c>io.istio.peer_principal</c> on waypoints).</summary>
    public IReadOnlyDictionary<string, string>? FilterState { get; init; }
}
