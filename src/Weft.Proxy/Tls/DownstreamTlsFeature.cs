using System.Security.Cryptography.X509Certificates;

namespace Weft.Proxy.Tls;

/// <summary>
/// What a terminated TLS connection established, on the connection's features: the client's certificate (null when it
/// sent none), the URI SAN of the certificate this proxy presented (XFCC's <c>By</c>, telemetry's destination principal),
/// and the negotiated ALPN.
/// </summary>
internal sealed record DownstreamTlsFeature(X509Certificate2? PeerCertificate, string LocalUri, string? Alpn)
{
    /// <summary>
    /// Ends the direction towards the client (TLS close_notify), leaving the other direction open: what a FIN is on a
    /// plain connection. Set by the termination; null in a record made elsewhere.
    /// </summary>
    public Func<ValueTask>? ShutdownSend { get; init; }
}
