using System.Net.Security;
using System.Security.Authentication;

namespace Weft.Proxy.Tls;

/// <summary>
/// A compiled TLS context, either side: the certificate to present (null: none), what to verify the peer against and
/// which SANs it must carry, ALPN in preference order, the TLS versions allowed, and for a client the SNI to send.
/// </summary>
internal sealed record TlsSettings
{
    public CertificateSource? Certificate { get; init; }

    public TrustSource Trust { get; init; } = TrustSource.None;

    public IReadOnlyList<SanMatcher> SubjectAltNames { get; init; } = [];

    /// <summary>The validation context's revocation lists (<c>crl</c>); null when it gives none.</summary>
    public RevocationList? Crl { get; init; }

    public IReadOnlyList<SslApplicationProtocol> Alpn { get; init; } = [];

    public SslProtocols Protocols { get; init; } = SslProtocols.None;

    /// <summary>The cipher suites <c>tls_params</c> allows; null leaves the platform's defaults.</summary>
    public CipherSuitesPolicy? CipherSuites { get; init; }

    /// <summary>Client: the SNI (empty sends none unless <see cref="AutoSni"/>).</summary>
    public string Sni { get; init; } = string.Empty;

    /// <summary>Client: send the request's host as SNI (Envoy's <c>auto_sni</c>).</summary>
    public bool AutoSni { get; init; }

    /// <summary>Client: the server certificate must be valid for the SNI sent (Envoy's <c>auto_san_validation</c>).</summary>
    public bool AutoSanValidation { get; init; }

    /// <summary>Server: a client certificate is required (<c>require_client_certificate</c>).</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>Why a secret it names cannot be served by this proxy (itself or from the control plane); null when all can.</summary>
    public string? Unservable =>
        (Certificate is { FromAds: false, SecretName: { } certificate } ? Identity.SecretStore.CannotServe(certificate) : null)
        ?? (Trust is { FromAds: false, SecretName: { } trust } ? Identity.SecretStore.CannotServe(trust) : null);

    /// <summary>The secrets the control plane must send over ADS before this context can be used.</summary>
    public IEnumerable<AdsSecret> AdsSecrets()
    {
        if (Certificate?.AdsSecret is { } certificate)
        {
            yield return certificate;
        }

        if (Trust.AdsSecret is { } trust)
        {
            yield return trust;
        }
    }

    /// <summary>Whether presenting <see cref="Certificate"/> needs the workload's own identity (<c>default</c>).</summary>
    public bool NeedsWorkloadIdentity => Certificate?.NeedsWorkloadIdentity == true;
}
