using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Weft.Control.Tests.Support;

/// <summary>A self-signed certificate and its key in PEM, and a Kubernetes TLS Secret holding them, for credentialName tests.</summary>
internal sealed record TlsCredentials(string CertPem, string KeyPem)
{
    public static TlsCredentials Make(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return new TlsCredentials(certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>A <c>kubernetes.io/tls</c> Secret with this chain and key, and <paramref name="caPem"/> as <c>ca.crt</c> when given.</summary>
    public string Secret(string name, string ns, string? caPem = null) =>
        $"apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}, namespace: {ns}}}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: {B64(CertPem)}\n  tls.key: {B64(KeyPem)}\n"
        + (caPem is null ? string.Empty : $"  ca.crt: {B64(caPem)}\n");

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
