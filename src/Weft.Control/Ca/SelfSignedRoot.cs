using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Control.Ca;

/// <summary>
/// The CA when no plug-in certificates are given: a self-signed root kept in the state directory, created on the first
/// start (ECDSA P-256, ten years like Istio's self-signed root, organisation = the trust domain) and reused afterwards.
/// </summary>
internal static class SelfSignedRoot
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(3650);

    public static CertificateAuthority LoadOrCreate(CaPaths paths, string trustDomain, DateTimeOffset now)
    {
        var certExists = File.Exists(paths.RootCert);
        var keyExists = File.Exists(paths.RootKey);
        if (!certExists && !keyExists)
        {
            return Create(paths, trustDomain, now);
        }

        if (!certExists)
        {
            throw new CaException($"{paths.RootKey} exists but its certificate {paths.RootCert} does not: put the certificate back, or remove the key to have a new root made (certificates of the old root then stop being trusted)");
        }

        if (!keyExists)
        {
            throw new CaException($"{paths.RootCert} exists but its key {paths.RootKey} does not: put the key back, or remove the certificate to have a new root made (certificates of the old root then stop being trusted)");
        }

        var root = PemFiles.ReadCertificates(paths.RootCert)[0];
        CaChecks.IsCa(root, paths.RootCert);
        CaChecks.InForce(root, paths.RootCert, now);
        var key = PemFiles.ReadKey(paths.RootKey, root, paths.RootCert);
        return new CertificateAuthority(root, key, [], [root], paths.RootCert, "self-signed root");
    }

    private static CertificateAuthority Create(CaPaths paths, string trustDomain, DateTimeOffset now)
    {
        PemFiles.CreatePrivateDirectory(paths.StateDirectory);
        PemFiles.CreatePrivateDirectory(paths.CaDirectory);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName("Weft root CA");
        subject.AddOrganizationName(trustDomain);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var start = Truncate(now) - WorkloadCertificates.ClockSkew;
        X509Certificate2 root;
        using (var withKey = request.CreateSelfSigned(start, start + Lifetime))
        {
            root = X509CertificateLoader.LoadCertificate(withKey.RawData);
        }

        // The key first: a crash between the two writes leaves a key without a certificate, which the next start reports.
        PemFiles.Write(paths.RootKey, key.ExportPkcs8PrivateKeyPem() + "\n", secret: true);
        PemFiles.Write(paths.RootCert, PemFiles.ToPem(root), secret: false);
        return new CertificateAuthority(root, key, [], [root], paths.RootCert, "self-signed root, created now");
    }

    /// <summary>X.509 keeps whole seconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
