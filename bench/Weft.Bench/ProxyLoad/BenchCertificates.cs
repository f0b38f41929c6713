using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Bench.ProxyLoad;

/// <summary>
/// A CA and two leaf certificates (ECDSA P-256, as <c>weft control</c>'s CA issues to workloads) for the library floor's
/// mutual TLS pair, written as PEM files.
/// </summary>
internal static class BenchCertificates
{
    public sealed record Files(string Ca, string ServerCert, string ServerKey, string ClientCert, string ClientKey);

    public static Files Write(string dir)
    {
        Directory.CreateDirectory(dir);
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("O=weft bench, CN=bench CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now, now.AddDays(1));
        var files = new Files(Path.Combine(dir, "ca.pem"), Path.Combine(dir, "server.pem"), Path.Combine(dir, "server-key.pem"),
            Path.Combine(dir, "client.pem"), Path.Combine(dir, "client-key.pem"));
        File.WriteAllText(files.Ca, ca.ExportCertificatePem());
        Leaf(ca, "backend", now, files.ServerCert, files.ServerKey);
        Leaf(ca, "bench-client", now, files.ClientCert, files.ClientKey);
        return files;
    }

    private static void Leaf(X509Certificate2 ca, string serviceAccount, DateTimeOffset now, string certPath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(string.Empty, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri($"spiffe://cluster.local/ns/default/sa/{serviceAccount}"));
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build(critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var leaf = request.Create(ca, now, now.AddDays(1), RandomNumberGenerator.GetBytes(16));
        File.WriteAllText(certPath, leaf.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }
}
