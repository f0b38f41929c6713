using System.Security.Cryptography.X509Certificates;

namespace Weft.Proxy.Identity;

/// <summary>The roots peers are verified against (SDS <c>ROOTCA</c>, or a file's), with their PEM for <c>/config_dump</c>.</summary>
internal sealed class TrustBundle(X509Certificate2Collection roots, string pem, string version, DateTimeOffset received)
{
    public X509Certificate2Collection Roots { get; } = roots;

    public string Pem { get; } = pem;

    public string Version { get; } = version;

    public DateTimeOffset Received { get; } = received;

    /// <summary>The revocation lists that came with the roots (an SDS validation context's <c>crl</c>); null for none.</summary>
    public Tls.RevocationList? Crl { get; init; }

    /// <summary>A bundle of the certificates in a PEM text; a <see cref="FormatException"/> when it holds none.</summary>
    public static TrustBundle FromPem(string pem, string what, DateTimeOffset received, Tls.RevocationList? crl = null)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(pem);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new FormatException($"{what} is not PEM certificates: {e.Message}", e);
        }

        if (roots.Count == 0)
        {
            throw new FormatException($"{what} holds no PEM certificate");
        }

        var version = string.Join(",", roots.Select(r => r.SerialNumber));
        return new TrustBundle(roots, pem, version, received) { Crl = crl };
    }
}
