using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Weft.Api.Validation.KubernetesKinds;

/// <summary>
/// Checks of PEM credentials as a gateway will load them: certificates that parse, a private key that parses and belongs
/// to the leaf certificate, a revocation list that is one. Failures are sentences that never quote the key.
/// </summary>
internal static class PemCredentials
{
    private static readonly string[] KeyLabels = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];
    private static readonly string[] CrlLabels = ["X509 CRL"];

    /// <summary>The certificates in <paramref name="pem"/>, or why there are none.</summary>
    public static (X509Certificate2Collection? Certificates, string? Error) Certificates(byte[] pem)
    {
        var text = Encoding.UTF8.GetString(pem);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(text);
        }
        catch (CryptographicException)
        {
            return (null, "holds a PEM CERTIFICATE block that does not parse as an X.509 certificate");
        }

        return certificates.Count == 0 ? (null, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)") : (certificates, null);
    }

    /// <summary>Null when <paramref name="keyPem"/> is a private key for <paramref name="leaf"/>; otherwise what is wrong.</summary>
    public static string? KeyError(byte[] keyPem, X509Certificate2? leaf)
    {
        var text = Encoding.UTF8.GetString(keyPem);
        if (!HasKeyBlock(text))
        {
            return "holds no PEM private key (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)";
        }

        using var rsa = Load(RSA.Create(), text);
        using var ec = Load(ECDsa.Create(), text);
        if (rsa is null && ec is null)
        {
            return "holds a PEM private key that does not parse (an RSA or ECDSA key in PKCS#1, SEC 1 or PKCS#8 form)";
        }

        if (leaf is null)
        {
            return null;
        }

        var matches = (rsa is not null && leaf.GetRSAPublicKey() is { } rsaPublic && SamePublicKey(rsa, rsaPublic))
            || (ec is not null && leaf.GetECDsaPublicKey() is { } ecPublic && SamePublicKey(ec, ecPublic));
        return matches ? null : "is not the private key of the certificate (its public key differs from the certificate's)";
    }

    /// <summary>Why a certificate revocation list is not one: PEM without an <c>X509 CRL</c> block, or bytes that are not a DER sequence.</summary>
    public static string? CrlError(byte[] crl)
    {
        var text = Encoding.ASCII.GetString(crl);
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return HasBlock(text, CrlLabels) ? null : "is PEM without an \"X509 CRL\" block";
        }

        return crl.Length > 0 && crl[0] == 0x30 ? null : "is neither a PEM nor a DER certificate revocation list";
    }

    private static bool HasKeyBlock(string text) => HasBlock(text, KeyLabels);

    private static bool HasBlock(string text, string[] labels)
    {
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (labels.Contains(rest[fields.Label].ToString(), StringComparer.Ordinal))
            {
                return true;
            }

            rest = rest[fields.Location.End..];
        }

        return false;
    }

    private static T? Load<T>(T algorithm, string text)
        where T : AsymmetricAlgorithm
    {
        try
        {
            algorithm.ImportFromPem(text);
            return algorithm;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            algorithm.Dispose();
            return null;
        }
    }

    private static bool SamePublicKey(AsymmetricAlgorithm key, AsymmetricAlgorithm certificateKey)
    {
        using (certificateKey)
        {
            return key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(certificateKey.ExportSubjectPublicKeyInfo());
        }
    }
}
