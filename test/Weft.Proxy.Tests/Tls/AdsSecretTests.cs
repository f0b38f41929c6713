using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Tests.Support;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;

namespace Weft.Proxy.Tests.Tls;

/// <summary>
/// SDS secrets over the ADS stream (credentialName's <c>kubernetes://NAME</c>): subscribed when a listener's TLS names
/// them, the listener warming until they come, applied live, refused when they cannot load, shown redacted.
/// </summary>
public sealed class AdsSecretTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_listener_changed_to_a_secret_not_yet_received_keeps_serving_its_version_in_force_until_the_secret_comes()
    {
        await using var echo = TcpBackend.Echo("echo");
        var (certA, secretA) = Credential("kubernetes://a");
        var (certB, secretB) = Credential("kubernetes://b");
        var port = Ports.Free();
        await using var control = await ScriptedControlPlane.StartAsync(Resources(echo.Port, port, "kubernetes://a", secretA));
        await using var proxy = await RunningProxy.StartAsync(control.Address);
        await proxy.Host.WaitForBoundListenersAsync(l => l.Count > 0).WaitAsync(Wait);
        Assert.Equal(certA.Thumbprint, await PresentedAsync(port));

        await control.PushAsync(Resources(echo.Port, port, "kubernetes://b"));
        await Until(() => proxy.Host.State.Latest.Secrets.Names.Contains("kubernetes://b"));
        Assert.Equal(certA.Thumbprint, await PresentedAsync(port));

        await control.PushAsync(Resources(echo.Port, port, "kubernetes://b", secretB));
        await Until(async () => await PresentedAsync(port) == certB.Thumbprint);
    }

    [Fact]
    public async Task A_secret_whose_key_is_not_the_certificates_is_refused_without_quoting_the_key()
    {
        await using var echo = TcpBackend.Echo("echo");
        var (_, good) = Credential("kubernetes://a");
        var (_, other) = Credential("kubernetes://a");
        var mismatched = good.Clone();
        mismatched.TlsCertificate.PrivateKey = other.TlsCertificate.PrivateKey;
        var port = Ports.Free();
        await using var control = await ScriptedControlPlane.StartAsync(Resources(echo.Port, port, "kubernetes://a", mismatched));
        await using var proxy = await RunningProxy.StartAsync(control.Address, waitReady: false);

        await Until(() => !control.Rejections.IsEmpty);
        var rejection = control.Rejections.First(r => r.TypeUrl == TypeUrls.Secret);
        Assert.Contains("kubernetes://a", rejection.ErrorDetail.Message, StringComparison.Ordinal);
        Assert.Contains("do not load together", rejection.ErrorDetail.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(other.TlsCertificate.PrivateKey.InlineBytes.ToStringUtf8().Split('\n')[1], rejection.ErrorDetail.Message, StringComparison.Ordinal);
        Assert.False(proxy.Host.IsReady);
    }

    [Fact]
    public async Task The_config_dump_shows_a_received_secret_with_its_key_redacted()
    {
        await using var echo = TcpBackend.Echo("echo");
        var (_, secret) = Credential("kubernetes://a");
        var port = Ports.Free();
        await using var control = await ScriptedControlPlane.StartAsync(Resources(echo.Port, port, "kubernetes://a", secret));
        await using var proxy = await RunningProxy.StartAsync(control.Address);
        using var http = new HttpClient();

        var dump = await http.GetStringAsync(new Uri(proxy.Admin, "/config_dump"));

        Assert.Contains("\"kubernetes://a\"", dump, StringComparison.Ordinal);
        Assert.Contains("[redacted]", dump, StringComparison.Ordinal);
        var keyLine = secret.TlsCertificate.PrivateKey.InlineBytes.ToStringUtf8().Split('\n')[1];
        Assert.DoesNotContain(keyLine, dump, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(secret.TlsCertificate.PrivateKey.InlineBytes.ToByteArray())[..40], dump, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_verifies_its_upstream_against_a_ca_received_over_ads_and_refuses_one_it_does_not_sign()
    {
        await using var backend = TlsBackend.Start("backend.example.com");
        var port = Ports.Free();
        var other = Credential("unused").Certificate;
        await using var control = await ScriptedControlPlane.StartAsync(Upstream(backend.Port, port, CaSecret(backend.Certificate)));
        await using var proxy = await RunningProxy.StartAsync(control.Address);
        await proxy.Host.WaitForBoundListenersAsync(l => l.Count > 0).WaitAsync(Wait);

        using (var connection = await RawConnection.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)))
        {
            await connection.SendAsync("hello\n");
            Assert.Equal("backend.example.com heard hello\n", await connection.ReadThroughAsync("\n"));
        }

        // A CA that did not sign the backend's certificate: new connections are refused upstream.
        await control.PushAsync(Upstream(backend.Port, port, CaSecret(other)));
        await Until(async () =>
        {
            using var connection = await RawConnection.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            await connection.SendAsync("hello\n");
            return await connection.ClosedAsync();
        });
    }

    private static Secret CaSecret(X509Certificate2 ca) => new()
    {
        Name = "kubernetes://backend-cacert",
        ValidationContext = new CertificateValidationContext { TrustedCa = new DataSource { InlineBytes = ByteString.CopyFromUtf8(ca.ExportCertificatePem()) } },
    };

    /// <summary>A plaintext listener on 127.0.0.1:<paramref name="port"/> proxying TCP to a cluster that originates TLS verified against an ADS secret.</summary>
    private static IEnumerable<IMessage> Upstream(int backendPort, int port, Secret ca)
    {
        var cluster = XdsResources.StaticCluster("backend", ("127.0.0.1", backendPort));
        cluster.TransportSocket = new TransportSocket
        {
            Name = "envoy.transport_sockets.tls",
            TypedConfig = Any.Pack(new UpstreamTlsContext
            {
                Sni = "backend.example.com",
                CommonTlsContext = new CommonTlsContext
                {
                    CombinedValidationContext = new CommonTlsContext.Types.CombinedCertificateValidationContext
                    {
                        DefaultValidationContext = new CertificateValidationContext(),
                        ValidationContextSdsSecretConfig = new SdsSecretConfig { Name = ca.Name, SdsConfig = new ConfigSource { Ads = new AggregatedConfigSource(), ResourceApiVersion = ApiVersion.V3 } },
                    },
                },
            }),
        };
        return [cluster, XdsResources.TcpListener("127.0.0.1", port, XdsResources.ToCluster("backend"), bindToPort: true), ca];
    }

    /// <summary>A cluster to the echo backend and a TLS listener on 127.0.0.1:<paramref name="port"/> whose certificate is the ADS secret <paramref name="secretName"/>.</summary>
    private static IEnumerable<IMessage> Resources(int echoPort, int port, string secretName, params Secret[] secrets)
    {
        var listener = XdsResources.TcpListener("127.0.0.1", port, XdsResources.ToCluster("echo"), bindToPort: true);
        listener.FilterChains[0].TransportSocket = new TransportSocket
        {
            Name = "envoy.transport_sockets.tls",
            TypedConfig = Any.Pack(new DownstreamTlsContext
            {
                CommonTlsContext = new CommonTlsContext
                {
                    TlsCertificateSdsSecretConfigs = { new SdsSecretConfig { Name = secretName, SdsConfig = new ConfigSource { Ads = new AggregatedConfigSource(), ResourceApiVersion = ApiVersion.V3 } } },
                },
            }),
        };
        return new IMessage[] { XdsResources.StaticCluster("echo", ("127.0.0.1", echoPort)), listener }.Concat(secrets);
    }

    private static (X509Certificate2 Certificate, Secret Secret) Credential(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=gateway.example.com", key, HashAlgorithmName.SHA256);
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return (certificate, new Secret
        {
            Name = name,
            TlsCertificate = new TlsCertificate
            {
                CertificateChain = new DataSource { InlineBytes = ByteString.CopyFromUtf8(certificate.ExportCertificatePem()) },
                PrivateKey = new DataSource { InlineBytes = ByteString.CopyFromUtf8(key.ExportPkcs8PrivateKeyPem()) },
            },
        });
    }

    /// <summary>The thumbprint of the certificate a new TLS connection to the listener is shown.</summary>
    private static async Task<string> PresentedAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(Wait);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "gateway.example.com",
            // Any certificate will do: the test is about which one is shown.
            RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null,
        }).WaitAsync(Wait);
        return new X509Certificate2(tls.RemoteCertificate!).Thumbprint;
    }

    private static Task Until(Func<bool> condition) => Until(() => Task.FromResult(condition()));

    private static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(20);
        }
    }
}
