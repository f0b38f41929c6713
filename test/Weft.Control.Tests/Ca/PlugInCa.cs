using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Control.Tests.Ca;

/// <summary>
/// An operator's own CA, laid out as Istio's plug-in <c>cacerts</c>: a root, an intermediate it signed, and the four files
/// (<c>cert-chain.pem</c> = intermediate then root, as Istio's certificate tooling writes it).
/// </summary>
internal sealed class PlugInCa : IDisposable
{
    private PlugInCa(X509Certificate2 root, ECDsa rootKey, X509Certificate2 intermediate, ECDsa intermediateKey)
    {
        Root = root;
        RootKey = rootKey;
        Intermediate = intermediate;
        IntermediateKey = intermediateKey;
    }

    public X509Certificate2 Root { get; }

    public ECDsa RootKey { get; }

    public X509Certificate2 Intermediate { get; }

    public ECDsa IntermediateKey { get; }

    /// <summary>A root valid for ten years from <paramref name="now"/> and an intermediate valid from now for <paramref name="intermediateLifetime"/>.</summary>
    public static PlugInCa Create(DateTimeOffset now, TimeSpan? intermediateLifetime = null, string name = "Operator")
    {
        var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = CaRequest($"CN={name} Root CA, O=example.com", rootKey);
        var root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));

        var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = CaRequest($"CN={name} Intermediate CA, O=example.com", intermediateKey);
        intermediateRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var signed = intermediateRequest.Create(root, now.AddDays(-1), now.AddDays(-1) + (intermediateLifetime ?? TimeSpan.FromDays(365)), [0x11, 0x22, 0x33, 0x44]);
        var intermediate = X509CertificateLoader.LoadCertificate(signed.RawData);
        return new PlugInCa(X509CertificateLoader.LoadCertificate(root.RawData), rootKey, intermediate, intermediateKey);
    }

    /// <summary>Writes ca-cert.pem, ca-key.pem, root-cert.pem and cert-chain.pem into <paramref name="directory"/>.</summary>
    public void WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "ca-cert.pem"), Pem(Intermediate));
        File.WriteAllText(Path.Combine(directory, "ca-key.pem"), IntermediateKey.ExportECPrivateKeyPem() + "\n");
        File.WriteAllText(Path.Combine(directory, "root-cert.pem"), Pem(Root));
        File.WriteAllText(Path.Combine(directory, "cert-chain.pem"), Pem(Intermediate) + Pem(Root));
    }

    public static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    private static CertificateRequest CaRequest(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    public void Dispose()
    {
        Root.Dispose();
        RootKey.Dispose();
        Intermediate.Dispose();
        IntermediateKey.Dispose();
    }
}
