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

    /// <summary>The negotiated protocol as Envoy names it (<c>TLSv1.2</c>, <c>TLSv1.3</c>); null in a record made elsewhere.</summary>
    public string? Version { get; init; }

    /// <summary>This hop's x-forwarded-client-cert element, kept for the connection: the certificate does not change.</summary>
    private volatile CachedElement? _clientCertElement;

    /// <summary>The connection's XFCC element built for these details (one object per configuration); null when not built yet.</summary>
    public string? ClientCertElement(object? details) =>
        _clientCertElement is { } cached && ReferenceEquals(cached.Details, details) ? cached.Element : null;

    /// <summary>Keeps the element built for these details, and returns it.</summary>
    public string KeepClientCertElement(object? details, string element)
    {
        _clientCertElement = new CachedElement(details, element);
        return element;
    }

    private string? _escapedPeerPem;

    /// <summary>The client certificate as URL-encoded PEM (XFCC's <c>Cert</c>, ext_authz's peer certificate), made once per connection.</summary>
    public string? EscapedPeerPem => PeerCertificate is null ? null : _escapedPeerPem ??= Uri.EscapeDataString(PeerCertificate.ExportCertificatePem());

    private sealed record CachedElement(object? Details, string Element);
}
