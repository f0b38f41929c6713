using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Weft.Proxy.Identity;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;

namespace Weft.Proxy.Tls;

/// <summary>
/// Compiles an SDS Secret the control plane sent over ADS: a <c>tls_certificate</c> (PEM chain and key, inline) into the
/// certificate handshakes present, a <c>validation_context</c> (inline PEM <c>trusted_ca</c>, and <c>crl</c>) into the
/// bundle peers are verified against. What cannot be honoured is refused with a reason that never quotes the key.
/// </summary>
internal static class SdsSecretCompiler
{
    public static object Compile(Secret secret, DateTimeOffset received) => secret.TypeCase switch
    {
        Secret.TypeOneofCase.TlsCertificate => Certificate(secret.TlsCertificate, received),
        Secret.TypeOneofCase.ValidationContext => Bundle(secret.Name, secret.ValidationContext, received),
        Secret.TypeOneofCase.None => throw new XdsRejectedException("it holds neither a tls_certificate nor a validation_context"),
        var other => throw new XdsRejectedException($"a {other} secret is not supported (tls_certificate, validation_context)"),
    };

    private static WorkloadCertificate Certificate(TlsCertificate certificate, DateTimeOffset received)
    {
        if (certificate.PrivateKeyProvider is not null || certificate.Pkcs12 is not null || certificate.Password is not null)
        {
            throw new XdsRejectedException("a tls_certificate with a private key provider, PKCS#12 or a password is not supported; give certificate_chain and private_key");
        }

        var chainPem = Inline(certificate.CertificateChain, "certificate_chain");
        var keyPem = Inline(certificate.PrivateKey, "private_key");
        try
        {
            return WorkloadCertificate.FromPem(chainPem, keyPem, received);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // The exception's text is not passed on: it could describe the key.
            throw new XdsRejectedException("its certificate_chain and private_key do not load together (each must be PEM, and the key the certificate's)");
        }
    }

    private static TrustBundle Bundle(string name, CertificateValidationContext validation, DateTimeOffset received)
    {
        if (validation.MatchTypedSubjectAltNames.Count > 0 || validation.MatchSubjectAltNames.Count > 0
            || validation.VerifyCertificateHash.Count > 0 || validation.VerifyCertificateSpki.Count > 0 || validation.CustomValidatorConfig is not null)
        {
            throw new XdsRejectedException("a validation_context secret may only carry trusted_ca and crl here (no SAN matchers, hashes or custom validator)");
        }

        var pem = Inline(validation.TrustedCa, "trusted_ca");
        try
        {
            var crl = validation.Crl is null ? null : TlsContextCompiler.Revocations(validation.Crl, validation.OnlyVerifyLeafCertCrl, inlineOnly: true);
            return TrustBundle.FromPem(pem, name, received, crl);
        }
        catch (FormatException e)
        {
            throw new XdsRejectedException(e.Message);
        }
    }

    private static string Inline(DataSource? source, string field) => source?.SpecifierCase switch
    {
        DataSource.SpecifierOneofCase.InlineBytes => source.InlineBytes.ToStringUtf8(),
        DataSource.SpecifierOneofCase.InlineString => source.InlineString,
        null or DataSource.SpecifierOneofCase.None => throw new XdsRejectedException($"it has no {field}"),
        var other => throw new XdsRejectedException($"{field} from {other} is not supported in an SDS secret (inline_bytes, inline_string)"),
    };
}
