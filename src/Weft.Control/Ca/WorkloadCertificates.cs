using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Control.Ca;

/// <summary>
/// Issues workload certificates as Istio's CA does: the SPIFFE id as the only URI SAN (critical, the subject being
/// empty), digitalSignature + keyEncipherment, serverAuth + clientAuth, not a CA, valid from two minutes before now (for
/// clock skew between machines) to now + the lifetime. The chain returned is the leaf, the intermediates, the root.
/// </summary>
public sealed class WorkloadCertificates
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(24);

    /// <summary>How far before now a certificate starts (Istio's ClockSkewGracePeriod).</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    private static readonly OidCollection ServerAndClientAuth = [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")];
    private readonly CertificateAuthority _ca;
    private readonly TimeProvider _time;

    public WorkloadCertificates(CertificateAuthority ca, TimeSpan maxLifetime, TimeProvider time)
    {
        if (maxLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLifetime), maxLifetime, "the workload certificate lifetime must be positive");
        }

        _ca = ca;
        MaxLifetime = maxLifetime;
        _time = time;
    }

    /// <summary><c>--workload-cert-ttl</c>: what a request gets by default, and the most it can get.</summary>
    public TimeSpan MaxLifetime { get; }

    /// <summary>A requested lifetime (seconds; 0 for the default) honoured when shorter than the maximum, else the maximum.</summary>
    public TimeSpan LifetimeFor(long requestedSeconds) =>
        requestedSeconds > 0 && requestedSeconds < MaxLifetime.TotalSeconds ? TimeSpan.FromSeconds(requestedSeconds) : MaxLifetime;

    /// <summary>Signs the request's key for <paramref name="spiffeId"/>; PEM certificates, leaf first, root last.</summary>
    internal IReadOnlyList<string> Issue(SigningRequest csr, string spiffeId, TimeSpan lifetime)
    {
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), csr.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(ServerAndClientAuth, critical: false));
        request.CertificateExtensions.Add(SubjectAltNames.UriOnly(spiffeId));
        var now = SelfSignedRoot.Truncate(_time.GetUtcNow());
        using var leaf = _ca.Sign(request, now - ClockSkew, now + lifetime);
        return [PemFiles.ToPem(leaf), .. _ca.ChainPem];
    }
}
