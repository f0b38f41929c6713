using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Weft.Proxy.Identity;

namespace Weft.Proxy.Tls;

/// <summary>
/// Checks a peer's certificate as Envoy's default validator: the chain must reach one of the trusted roots (a custom
/// trust store, never the system's unless asked for), the certificate must be within its validity period, no revocation
/// list given may revoke a certificate of the chain (<see cref="RevocationList"/>), and when SAN matchers are given at
/// least one must match. Host name checks apply only when asked for (<c>auto_san_validation</c>).
/// The reason of a refusal is kept for the log and the error.
/// </summary>
internal sealed class PeerVerification(TlsSettings settings, TrustBundle? bundle, string? expectedHost)
{
    public string? Failure { get; private set; }

    /// <summary>The chain policy for SslStream: the bundle's roots as the only trust; null for the system's.</summary>
    public X509ChainPolicy? Policy()
    {
        if (!settings.Trust.Verifies || bundle is null)
        {
            return null;
        }

        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(bundle.Roots);
        return policy;
    }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, bool required)
    {
        if (certificate is null)
        {
            if (required)
            {
                Failure = "the peer presented no certificate";
                return false;
            }

            return true;
        }

        if (!settings.Trust.Verifies)
        {
            return true;
        }

        if (expectedHost is null)
        {
            errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
        }

        if (errors != SslPolicyErrors.None)
        {
            var status = chain?.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct().ToArray() ?? [];
            Failure = $"certificate verify failed ({errors}{(status.Length > 0 ? ": " + string.Join("; ", status) : string.Empty)})";
            return false;
        }

        if ((settings.Crl ?? bundle?.Crl) is { } crl)
        {
            var elements = chain?.ChainElements.Select(e => e.Certificate).ToList() ?? [];
            if (crl.Check(elements, DateTimeOffset.UtcNow) is { } revoked)
            {
                Failure = "certificate verify failed (CRL: " + revoked + ")";
                return false;
            }
        }

        if (settings.SubjectAltNames.Count > 0)
        {
            var leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
            if (!settings.SubjectAltNames.Any(m => m.Matches(leaf)))
            {
                var presented = SubjectAltNames.Uris(leaf).Concat(SubjectAltNames.Dns(leaf)).ToArray();
                Failure = $"the peer's subject alt names ({(presented.Length == 0 ? "none" : string.Join(", ", presented))}) match none expected";
                return false;
            }
        }

        return true;
    }
}
