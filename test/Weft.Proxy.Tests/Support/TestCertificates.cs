using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Weft.Proxy.Identity;

namespace Weft.Proxy.Tests.Support;

/// <summary>Certificates made in a test (for the cases a real CA must never issue) and raw TLS handshakes with a proxy.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 Root(ECDsa key, string name)
    {
        var request = new CertificateRequest($"O={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>A workload certificate for a SPIFFE id, signed by <paramref name="issuer"/> (which has its key), valid as given.</summary>
    public static X509Certificate2 Leaf(X509Certificate2 issuer, string spiffeId, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri(spiffeId));
        request.CertificateExtensions.Add(names.Build(critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(issuer, notBefore, notAfter, serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// Whether a TLS connection presenting <paramref name="client"/> is accepted and carries a request: the handshake and
    /// a first read must both succeed (TLS 1.3 servers refuse a client certificate after the client's handshake ends).
    /// </summary>
    public static async Task<bool> HandshakeSucceedsAsync(EndPoint server, X509Certificate2 client, X509Certificate2 root)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server).WaitAsync(RawConnection.Wait);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        try
        {
            await tls.AuthenticateAsClientAsync(Options(client, root)).WaitAsync(RawConnection.Wait);
            await tls.WriteAsync("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8.ToArray()).AsTask().WaitAsync(RawConnection.Wait);
            var buffer = new byte[64];
            var read = await tls.ReadAsync(buffer).AsTask().WaitAsync(RawConnection.Wait);
            return read > 0;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return false;
        }
    }

    /// <summary>The serial number of the certificate a server presents to a new connection.</summary>
    public static async Task<string> ServerCertificateAsync(EndPoint server, X509Certificate2 root, WorkloadCertificate client)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server).WaitAsync(RawConnection.Wait);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsClientAsync(Options(client.Leaf, root)).WaitAsync(RawConnection.Wait);
        return ((X509Certificate2)tls.RemoteCertificate!).SerialNumber;
    }

    private static SslClientAuthenticationOptions Options(X509Certificate2 client, X509Certificate2 root)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(root);
        return new SslClientAuthenticationOptions
        {
            TargetHost = string.Empty,
            ClientCertificates = [client],
            CertificateChainPolicy = policy,
            RemoteCertificateValidationCallback = (_, _, _, errors) => (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None,
        };
    }
}
