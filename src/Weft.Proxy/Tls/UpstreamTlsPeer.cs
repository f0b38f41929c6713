using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Weft.Proxy.Identity;

namespace Weft.Proxy.Tls;

/// <summary>
/// The identities of an upstream TLS connection as Istio's client-side telemetry reports them: the first URI SAN of the
/// certificate this proxy presented (<c>source_principal</c>) and of the one the server presented
/// (<c>destination_principal</c>); empty when a certificate or its URI SAN is missing.
/// </summary>
internal sealed record UpstreamTlsPeer(string LocalPrincipal, string PeerPrincipal)
{
    public static UpstreamTlsPeer Of(SslStream ssl) => new(FirstUri(ssl.LocalCertificate), FirstUri(ssl.RemoteCertificate));

    private static string FirstUri(X509Certificate? certificate) => certificate switch
    {
        X509Certificate2 full => SubjectAltNames.Uris(full) is [var uri, ..] ? uri : string.Empty,
        null => string.Empty,
        var other => SubjectAltNames.Uris(new X509Certificate2(other)) is [var uri, ..] ? uri : string.Empty,
    };
}
