using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Weft.Proxy.Hosting;
using Weft.Proxy.Identity;
using Weft.Proxy.Tests.Support;

namespace Weft.Proxy.Tests.Functional;

/// <summary>
/// <c>weft proxy --secure-xds-address --root-cert</c> against a real control plane: configuration over TLS verified
/// against the control plane's root only, a workload certificate for the workload's SPIFFE id, readiness only once the
/// certificate is in hand.
/// </summary>
public sealed class SecureXdsTests
{
    [Fact]
    public async Task A_proxy_on_the_secure_port_gets_its_configuration_and_a_certificate_for_its_spiffe_id()
    {
        await using var ca = await MeshCa.StartAsync();
        await using var proxy = await RunningProxy.StartAsync(
            ca.SecureAddress,
            o => o with { XdsAddress = null, SecureXdsAddress = ca.SecureAddress, RootCertFile = ca.RootCertFile, ServiceAccount = "client" },
            nodeId: MeshCa.ClientNode);

        Assert.True(proxy.Host.IsReady);
        Assert.True(proxy.Host.XdsStatus.Connected);
        var certificate = proxy.Host.Secrets.Workload!;
        Assert.Equal([MeshCa.ClientId], certificate.UriSans);
        Assert.Equal("1.2.840.10045.3.1.7", certificate.Leaf.GetECDsaPublicKey()!.ExportParameters(false).Curve.Oid.Value); // P-256
        var root = proxy.Host.Secrets.Roots!;
        Assert.Equal(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(ca.RootCertFile)).Thumbprint, root.Roots[0].Thumbprint);

        using var http = new HttpClient();
        using var health = await http.GetAsync(new Uri(proxy.Health, "/healthz/ready"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Once_it_has_its_certificate_the_proxy_reconnects_on_the_strength_of_it_where_its_token_no_longer_holds()
    {
        var directory = Directory.CreateTempSubdirectory("weft-xds-cert-").FullName;
        try
        {
            var config = Directory.CreateDirectory(Path.Combine(directory, "config")).FullName;
            await File.WriteAllTextAsync(Path.Combine(config, "client.yaml"), "apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: client, namespace: default}\nspec: {address: 127.0.0.1, serviceAccount: client}\n");
            var state = Path.Combine(directory, "state");
            Directory.CreateDirectory(Path.Combine(state, "tokens", "default"));
            await File.WriteAllTextAsync(Path.Combine(state, "tokens", "default", "client"), "client-token");
            var tokenFile = Path.Combine(directory, "token");
            await File.WriteAllTextAsync(tokenFile, "client-token");
            Weft.Control.Hosting.ControlPlaneOptions Options(string secure) => new()
            {
                ConfigDirectory = config,
                XdsAddress = "127.0.0.1:0",
                HttpAddress = "127.0.0.1:0",
                SecureXdsAddress = secure,
                StateDirectory = state,
                RequireTokens = true,
            };

            var first = await Weft.Control.Hosting.ControlPlane.StartAsync(Options("127.0.0.1:0"), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
            var secure = first.SecureXdsEndpoint!.ToString();
            await using var proxy = await RunningProxy.StartAsync(
                secure,
                o => o with { XdsAddress = null, SecureXdsAddress = secure, RootCertFile = Path.Combine(state, "ca", "root-cert.pem"), TokenFile = tokenFile, ServiceAccount = "client" },
                nodeId: MeshCa.ClientNode);
            Assert.NotNull(proxy.Host.Secrets.Workload);

            // The token stops being the workload's, and the control plane restarts (same CA, same port).
            await File.WriteAllTextAsync(tokenFile, "not-the-token");
            await first.DisposeAsync();
            await using var second = await Weft.Control.Hosting.ControlPlane.StartAsync(Options(secure), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);

            // The new stream is accepted: the proxy presented its workload certificate, which proves namespace default.
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (!second.Xds.Connections.Any(c => c.Proxy.Id == MeshCa.ClientNode && c.Proxy.VerifiedNamespace == "default"))
            {
                await Task.Delay(50, deadline.Token);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_control_plane_whose_certificate_does_not_chain_to_the_root_file_is_not_trusted()
    {
        await using var ca = await MeshCa.StartAsync();
        var otherRoot = Path.Combine(Path.GetTempPath(), "weft-other-root-" + Guid.NewGuid().ToString("N")[..8] + ".pem");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = TestCertificates.Root(key, "not-the-mesh");
        await File.WriteAllTextAsync(otherRoot, other.ExportCertificatePem());
        try
        {
            await using var proxy = await RunningProxy.StartAsync(
                ca.SecureAddress,
                o => o with { XdsAddress = null, SecureXdsAddress = ca.SecureAddress, RootCertFile = otherRoot, ServiceAccount = "client" },
                waitReady: false,
                nodeId: MeshCa.ClientNode);

            using var http = new HttpClient();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            string body;
            while (true)
            {
                using var health = await http.GetAsync(new Uri(proxy.Health, "/healthz/ready"));
                Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
                body = await health.Content.ReadAsStringAsync();
                if (body.Contains("no workload certificate", StringComparison.Ordinal) && proxy.Host.XdsStatus.LastError is not null || DateTime.UtcNow > deadline)
                {
                    break;
                }

                await Task.Delay(100);
            }

            Assert.Contains("no workload certificate yet", body, StringComparison.Ordinal);
            Assert.False(proxy.Host.XdsStatus.Connected);
            Assert.Null(proxy.Host.Secrets.Workload);
        }
        finally
        {
            File.Delete(otherRoot);
        }
    }

    [Theory]
    [InlineData(null, "127.0.0.1:1", null, "--secure-xds-address needs --root-cert")]
    [InlineData("127.0.0.1:1", "127.0.0.1:2", "x.pem", "alternatives")]
    [InlineData("127.0.0.1:1", null, null, null)]
    public async Task Flags_for_the_control_plane_are_checked(string? xds, string? secure, string? root, string? error)
    {
        var options = new ProxyOptions
        {
            NodeId = MeshCa.ClientNode,
            XdsAddress = xds,
            SecureXdsAddress = secure,
            RootCertFile = root,
            OutboundAddress = "127.0.0.1:0",
            InboundAddress = "127.0.0.1:0",
            AdminAddress = "127.0.0.1:0",
            HealthAddress = "127.0.0.1:0",
            StatsAddress = "127.0.0.1:0",
            TokenFile = error is null ? "/nonexistent-token" : null,
        };
        var e = await Assert.ThrowsAsync<FormatException>(() => ProxyHost.StartAsync(options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        Assert.Contains(error ?? "--token-file is only sent over TLS", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Renewal_is_due_at_half_the_observed_lifetime_moved_by_at_most_one_percent()
    {
        var now = DateTimeOffset.UtcNow;
        var received = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = TestCertificates.Root(key, "r");
        using var leaf = TestCertificates.Leaf(root, MeshCa.ClientId, received.AddMinutes(-2), received.AddHours(24));
        var certificate = new WorkloadCertificate(leaf, [], string.Empty, leaf.SerialNumber, received);

        // The CA's backdated notBefore does not count: 24h observed, half of it left at renewal.
        Assert.Equal(received.AddHours(12), CertificateRotator.RenewalTime(certificate, 0.5));
        Assert.Equal(received.AddHours(24) - TimeSpan.FromHours(24 * 0.49), CertificateRotator.RenewalTime(certificate, 0));
        Assert.Equal(received.AddHours(24) - TimeSpan.FromHours(24 * 0.51), CertificateRotator.RenewalTime(certificate, 1));
    }
}
