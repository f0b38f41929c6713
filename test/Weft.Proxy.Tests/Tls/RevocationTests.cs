using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Tls;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;

namespace Weft.Proxy.Tests.Tls;

/// <summary>
/// A validation context's <c>crl</c> (DestinationRule and Gateway <c>caCrl</c>, a credential's <c>ca.crl</c>), checked
/// as Envoy checks it: on real TLS handshakes through the proxy's TCP path, a server whose certificate is revoked is an
/// upstream connect failure, and so is one whose issuer has no CRL in the list.
/// </summary>
public sealed class RevocationTests : IDisposable
{
    private static readonly DateTimeOffset HourAgo = DateTimeOffset.UtcNow.AddHours(-1); // after the test roots' own start (a day back)
    private static readonly DateTimeOffset Tomorrow = DateTimeOffset.UtcNow.AddDays(1);

    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _ca;

    public RevocationTests() => _ca = TestCertificates.Root(_caKey, "crl-ca");

    [Fact]
    public async Task A_server_whose_certificate_the_CRL_revokes_is_refused_and_one_it_does_not_is_served()
    {
        var revokedCertificate = TestCertificates.Leaf(_ca, "spiffe://example.com/revoked", HourAgo, Tomorrow);
        await using var good = TlsBackend.Start("good", TestCertificates.Leaf(_ca, "spiffe://example.com/good", HourAgo, Tomorrow));
        await using var revoked = TlsBackend.Start("revoked", revokedCertificate);
        var crl = Crl(_ca, Tomorrow, revokedCertificate);
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(Verified(crl), ("good", good), ("revoked", revoked)));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        Assert.Equal("good heard hello", await AskAsync(proxy, "good"));
        Assert.StartsWith("HTTP/1.1 503", await RawConnection.TunnelRefusedAsync(proxy.Host.OutboundEndpoint, Authority("revoked")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chain_whose_issuer_has_no_CRL_in_the_list_is_refused_as_Envoy_refuses_it()
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = TestCertificates.Root(otherKey, "other-ca");
        await using var good = TlsBackend.Start("good", TestCertificates.Leaf(_ca, "spiffe://example.com/good", HourAgo, Tomorrow));
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(Verified(Crl(other, Tomorrow)), ("good", good)));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        Assert.StartsWith("HTTP/1.1 503", await RawConnection.TunnelRefusedAsync(proxy.Host.OutboundEndpoint, Authority("good")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_CRL_from_a_file_is_read_in_PEM_or_DER_and_one_that_does_not_parse_is_refused_with_the_reason()
    {
        var der = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(der, new CertificateRevocationListBuilder().Build(_ca, 1, Tomorrow, HashAlgorithmName.SHA256));
            var settings = TlsContextCompiler.Upstream(Context(new DataSource { Filename = der }), autoSni: false, autoSanValidation: false);
            Assert.Equal(1, settings.Crl!.Count);

            File.WriteAllText(der, "not a CRL");
            var refused = Assert.Throws<XdsRejectedException>(() => TlsContextCompiler.Upstream(Context(new DataSource { Filename = der }), false, false));
            Assert.Contains($"crl {der} is not an X.509 CRL", refused.Message, StringComparison.Ordinal);

            var pem = Assert.Throws<XdsRejectedException>(() => TlsContextCompiler.Upstream(Context(new DataSource { InlineString = _ca.ExportCertificatePem() }), false, false));
            Assert.Contains("crl holds no PEM \"X509 CRL\" block", pem.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(der);
        }
    }

    [Fact]
    public void A_revoked_certificate_under_an_expired_CRL_or_only_the_leaf_checked_is_decided_as_Envoy_decides()
    {
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("O=intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var intermediateSigned = intermediateRequest.Create(_ca, HourAgo, Tomorrow, [1, 2, 3]);
        using var intermediate = intermediateSigned.CopyWithPrivateKey(intermediateKey);
        using var leaf = TestCertificates.Leaf(intermediate, "spiffe://example.com/leaf", HourAgo, Tomorrow);
        X509Certificate2[] chain = [leaf, intermediate, _ca];
        var leafCrl = Crl(intermediate, Tomorrow);

        // Every CA below the root needs a CRL, unless only the leaf is checked.
        Assert.Contains("no CRL from O=crl-ca", RevocationList.Parse(leafCrl, leafOnly: false).Check(chain, DateTimeOffset.UtcNow), StringComparison.Ordinal);
        Assert.Null(RevocationList.Parse(leafCrl, leafOnly: true).Check(chain, DateTimeOffset.UtcNow));
        Assert.Null(RevocationList.Parse([.. leafCrl, .. Crl(_ca, Tomorrow)], leafOnly: false).Check(chain, DateTimeOffset.UtcNow));
        Assert.Contains("is revoked", RevocationList.Parse([.. leafCrl, .. Crl(_ca, Tomorrow, intermediate)], leafOnly: false).Check(chain, DateTimeOffset.UtcNow), StringComparison.Ordinal);
        Assert.Contains("expired", RevocationList.Parse(leafCrl, leafOnly: true).Check(chain, Tomorrow.AddDays(1)), StringComparison.Ordinal);

        // A CRL that names the issuer but was not signed by its key counts as none.
        using var impostorKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var impostor = new CertificateRequest("O=intermediate", impostorKey, HashAlgorithmName.SHA256) { CertificateExtensions = { new X509BasicConstraintsExtension(true, false, 0, true), new X509KeyUsageExtension(X509KeyUsageFlags.CrlSign, true) } }.CreateSelfSigned(HourAgo, Tomorrow);
        Assert.Contains("no CRL from O=intermediate", RevocationList.Parse(Crl(impostor, Tomorrow), leafOnly: true).Check(chain, DateTimeOffset.UtcNow), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
    }

    private static byte[] Crl(X509Certificate2 issuer, DateTimeOffset nextUpdate, params X509Certificate2[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate);
        }

        return System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("X509 CRL", builder.Build(issuer, 1, nextUpdate, HashAlgorithmName.SHA256)) + "\n");
    }

    private UpstreamTlsContext Verified(byte[] crl) => Context(new DataSource { InlineBytes = ByteString.CopyFrom(crl) });

    private UpstreamTlsContext Context(DataSource crl) => new()
    {
        CommonTlsContext = new CommonTlsContext
        {
            ValidationContext = new CertificateValidationContext { TrustedCa = new DataSource { InlineString = _ca.ExportCertificatePem() }, Crl = crl },
        },
    };

    private static string Authority(string name) => name == "good" ? "240.0.0.1:3306" : "240.0.0.2:3306";

    private static async Task<string> AskAsync(RunningProxy proxy, string name)
    {
        using var connection = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, Authority(name));
        await connection.SendAsync("hello\n");
        return (await connection.ReadToEndAsync()).TrimEnd('\n');
    }

    /// <summary>virtualOutbound, a TCP listener per backend (240.0.0.1, 240.0.0.2 port 3306) and its cluster, which originates TLS.</summary>
    private static IEnumerable<IMessage> Mesh(UpstreamTlsContext tls, params (string Name, TlsBackend Backend)[] backends)
    {
        foreach (var resource in XdsResources.VirtualOutbound())
        {
            yield return resource;
        }

        foreach (var (name, backend) in backends)
        {
            yield return XdsResources.TcpListener(Authority(name).Split(':')[0], 3306, XdsResources.ToCluster(name));
            var cluster = XdsResources.EdsCluster(name);
            var context = tls.Clone();
            context.Sni = name;
            cluster.TransportSocket = new TransportSocket { Name = "envoy.transport_sockets.tls", TypedConfig = Any.Pack(context) };
            yield return cluster;
            yield return XdsResources.Assignment(name, ("127.0.0.1", backend.Port));
        }
    }
}
