using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Control.Tests.Ca;

/// <summary>PKCS#10 requests as a workload makes them: a fresh key, the SPIFFE id it wants as a URI SAN.</summary>
internal static class Csr
{
    public static string For(string spiffeId, AsymmetricAlgorithm? key = null)
    {
        key ??= ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key switch
        {
            ECDsa ec => new CertificateRequest(new X500DistinguishedName(string.Empty), ec, HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(new X500DistinguishedName(string.Empty), rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("ECDSA or RSA", nameof(key)),
        };
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri(spiffeId));
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSigningRequestPem();
    }
}
