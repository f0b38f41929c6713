namespace Weft.Proxy.Authorization;

/// <summary>
/// Who is at the other end of a mutual-TLS connection, as Envoy's RBAC <c>authenticated</c> principal reads the peer
/// certificate: its URI SANs (the SPIFFE id, <c>spiffe://TD/ns/NS/sa/SA</c>), then its DNS SANs, then its subject.
/// </summary>
/// <remarks>
/// Nothing sets it yet: inbound listeners are plaintext until mTLS termination exists, so every request is
/// unauthenticated and RBAC principals that need a peer identity (principals, namespaces, service accounts, trust
/// domains) do not match. The TLS termination code must put the verified peer's identity on the connection with
/// <c>connectionContext.Features.Set(new PeerIdentity(...))</c> once the handshake succeeds; requests on that connection
/// then see it through <c>HttpContext.Features</c>, and the TCP path passes it to <see cref="NetworkAuthorization.Allows"/>.
/// </remarks>
internal sealed record PeerIdentity(IReadOnlyList<string> UriSans, IReadOnlyList<string> DnsSans, string Subject)
{
    /// <summary>A peer known by its SPIFFE id only.</summary>
    public static PeerIdentity Spiffe(string uri) => new([uri], [], string.Empty);
}
