using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Control.Ca;

/// <summary>
/// The signing half of the CA: the certificate that signs (a self-signed root, or a plugged-in intermediate), its key,
/// and the chain served after every issued certificate: the intermediates from the signer upwards, then the root.
/// Immutable once loaded.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private readonly AsymmetricAlgorithm _key;

    internal CertificateAuthority(X509Certificate2 signer, AsymmetricAlgorithm key, IReadOnlyList<X509Certificate2> intermediates, IReadOnlyList<X509Certificate2> roots, string rootFile, string description)
    {
        RootFile = rootFile;
        Signer = signer;
        _key = key;
        Intermediates = intermediates;
        Roots = roots;
        Description = description;
        ChainPem = [.. intermediates.Select(PemFiles.ToPem), .. roots.Select(PemFiles.ToPem)];
    }

    /// <summary>The certificate whose key signs workload certificates.</summary>
    public X509Certificate2 Signer { get; }

    /// <summary>From the signer up to, not including, the root; empty when the root signs.</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    /// <summary>The root the signer chains to first, then any other roots of the trust bundle.</summary>
    public IReadOnlyList<X509Certificate2> Roots { get; }

    public X509Certificate2 Root => Roots[0];

    /// <summary>The PEM file of the roots: what clients of the secure port and holders of workload certificates trust.</summary>
    public string RootFile { get; }

    /// <summary>Intermediates then roots, one PEM certificate each: what follows a leaf in a response.</summary>
    public IReadOnlyList<string> ChainPem { get; }

    /// <summary>Where the CA came from, for the log: "self-signed root" or "plug-in CA from DIR".</summary>
    public string Description { get; }

    /// <summary>
    /// Signs <paramref name="request"/> as this CA, with a random 128-bit serial number and an authority key identifier;
    /// the validity is cut at the signer's own expiry.
    /// </summary>
    internal X509Certificate2 Sign(CertificateRequest request, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        if (Signer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Any())
        {
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Signer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        }

        var generator = _key switch
        {
            ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
            RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
            _ => throw new InvalidOperationException("the CA key is neither ECDSA nor RSA"),
        };
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        var limit = new DateTimeOffset(Signer.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        return request.Create(Signer.SubjectName, generator, notBefore, notAfter < limit ? notAfter : limit, serial);
    }

    /// <summary>How a client certificate is verified: it must chain to this CA's roots, through its intermediates.</summary>
    public X509ChainPolicy ClientChainPolicy()
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(Roots.ToArray());
        policy.ExtraStore.AddRange(Intermediates.ToArray());
        return policy;
    }

    public void Dispose()
    {
        _key.Dispose();
        Signer.Dispose();
        foreach (var certificate in Intermediates.Concat(Roots))
        {
            certificate.Dispose();
        }
    }
}
