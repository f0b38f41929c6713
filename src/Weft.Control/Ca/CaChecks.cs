using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Control.Ca;

/// <summary>What a CA certificate must be before the CA signs with it or serves it.</summary>
internal static class CaChecks
{
    public static void IsCa(X509Certificate2 certificate, string path)
    {
        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (constraints is not { CertificateAuthority: true })
        {
            throw new CaException($"{path}: the certificate ({certificate.Subject}) is not a CA certificate (basic constraints without CA:TRUE), so it cannot sign");
        }

        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
        {
            throw new CaException($"{path}: the certificate ({certificate.Subject}) may not sign certificates (its key usage lacks keyCertSign)");
        }
    }

    public static void InForce(X509Certificate2 certificate, string path, DateTimeOffset now)
    {
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        if (notAfter <= now)
        {
            throw new CaException($"{path}: the certificate ({certificate.Subject}) expired on {Format(notAfter)}; replace it (and its key) with one in force");
        }

        if (notBefore > now)
        {
            throw new CaException($"{path}: the certificate ({certificate.Subject}) is not valid before {Format(notBefore)} (is this machine's clock right?)");
        }
    }

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
