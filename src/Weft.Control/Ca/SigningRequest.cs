using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Control.Ca;

/// <summary>
/// A workload's PKCS#10 request, checked: its signature verifies (the caller holds the key), its key is ECDSA P-256 or
/// P-384 or RSA of 2048 bits or more. Only the public key and the requested URI SANs are used; everything else in the
/// request (subject, other extensions) is ignored.
/// </summary>
internal sealed record SigningRequest(PublicKey PublicKey, IReadOnlyList<string> RequestedUris)
{
    /// <summary>Parses a PEM CSR; returns null with a sentence in <paramref name="error"/> when it is not acceptable.</summary>
    public static SigningRequest? Parse(string pem, out string? error)
    {
        error = null;
        CertificateRequest request;
        try
        {
            request = CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions, RSASignaturePadding.Pkcs1);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            error = $"the CSR is not a PEM PKCS#10 request with a valid signature: {e.Message}";
            return null;
        }

        error = KeyProblem(request.PublicKey);
        if (error is not null)
        {
            return null;
        }

        var uris = new List<string>();
        foreach (var extension in request.CertificateExtensions.Where(e => e.Oid?.Value == SubjectAltNames.Oid))
        {
            try
            {
                uris.AddRange(SubjectAltNames.Uris(extension));
            }
            catch (CryptographicException e)
            {
                error = $"the CSR's {e.Message}";
                return null;
            }
        }

        return new SigningRequest(request.PublicKey, uris);
    }

    private static string? KeyProblem(PublicKey key)
    {
        if (key.GetECDsaPublicKey() is { } ec)
        {
            using (ec)
            {
                var curve = ec.ExportParameters(false).Curve;
                var name = curve.Oid?.Value;
                return name is "1.2.840.10045.3.1.7" or "1.3.132.0.34" ? null
                    : $"the CSR's ECDSA key is on curve {curve.Oid?.FriendlyName ?? name ?? "(explicit parameters)"}; use P-256 (or P-384)";
            }
        }

        if (key.GetRSAPublicKey() is { } rsa)
        {
            using (rsa)
            {
                return rsa.KeySize >= 2048 ? null : $"the CSR's RSA key has {rsa.KeySize} bits; at least 2048 are needed";
            }
        }

        return $"the CSR's key is {key.Oid.FriendlyName ?? key.Oid.Value}; use ECDSA P-256 (or RSA of 2048 bits or more)";
    }
}
