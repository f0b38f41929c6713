using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Control.Hosting;
using Weft.Proxy.Tests.Support;

namespace Weft.Proxy.Tests.Functional;

/// <summary>
/// A gateway terminating TLS with a Gateway's <c>credentialName</c>: a real control plane serving a directory with a
/// Gateway, a VirtualService, a backend and a Kubernetes TLS Secret; a proxy running as the gateway (<c>router~</c>)
/// that fetches the secret over ADS; TLS clients with SNI on real sockets.
/// </summary>
public sealed class GatewayCredentialTests
{
    private const string Host = "web.example.com";
    private const string GatewayNode = "router~127.0.0.1~ingressgateway.istio-system~istio-system.svc.cluster.local";

    [Theory]
    [InlineData(Weft.Proxy.Hosting.XdsProtocol.StateOfTheWorld)]
    [InlineData(Weft.Proxy.Hosting.XdsProtocol.Delta)]
    public async Task A_SIMPLE_gateway_serves_the_secrets_certificate_and_a_rotated_secret_reaches_new_handshakes_only(Weft.Proxy.Hosting.XdsProtocol protocol)
    {
        await using var backend = await Backend.StartAsync("web");
        var first = Credential(Host);
        var port = Ports.Free();
        using var config = new ConfigDirectory();
        config.Write("mesh.yaml", Mesh(backend.Port, port, "SIMPLE"));
        config.Write("secret.yaml", Secret("gw-cred", first));
        await using var plane = await StartPlaneAsync(config);
        await using var gateway = await StartGatewayAsync(plane, port, protocol: protocol);

        using var before = new GatewayClient(port, trust: first.Certificate);
        Assert.Equal("web", await before.GetAsync());
        Assert.Equal(first.Certificate.Thumbprint, before.Presented!.Thumbprint);

        using (var admin = new HttpClient())
        {
            var dump = await admin.GetStringAsync(new Uri(gateway.Admin, "/config_dump"));
            Assert.Contains("\"kubernetes://gw-cred\"", dump, StringComparison.Ordinal);
            Assert.DoesNotContain(first.KeyPem.Split('\n')[1], dump, StringComparison.Ordinal);
        }

        var rotated = Credential(Host);
        config.Write("secret.yaml", Secret("gw-cred", rotated));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        string? seen = null;
        while (DateTime.UtcNow < deadline)
        {
            using var probe = new GatewayClient(port, trust: null);
            Assert.Equal("web", await probe.GetAsync());
            seen = probe.Presented!.Thumbprint;
            if (seen == rotated.Certificate.Thumbprint)
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal(rotated.Certificate.Thumbprint, seen);

        // The connection made before the rotation is still up, with the certificate it was made with.
        Assert.Equal("web", await before.GetAsync());
        Assert.Equal(1, before.Handshakes);
        Assert.Equal(first.Certificate.Thumbprint, before.Presented!.Thumbprint);
    }

    [Fact]
    public async Task A_MUTUAL_gateway_refuses_a_client_without_a_certificate_signed_by_ca_crt()
    {
        await using var backend = await Backend.StartAsync("web");
        var server = Credential(Host);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var clientCa = TestCertificates.Root(caKey, "client-ca");
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherCa = TestCertificates.Root(otherKey, "other-ca");
        using var trusted = TestCertificates.Leaf(clientCa, "spiffe://example.com/client", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var untrusted = TestCertificates.Leaf(otherCa, "spiffe://example.com/client", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var port = Ports.Free();
        using var config = new ConfigDirectory();
        config.Write("mesh.yaml", Mesh(backend.Port, port, "MUTUAL"));
        config.Write("secret.yaml", Secret("gw-cred", server, clientCa.ExportCertificatePem() + "\n"));
        await using var plane = await StartPlaneAsync(config);
        await using var gateway = await StartGatewayAsync(plane, port);

        using (var withTrusted = new GatewayClient(port, trust: server.Certificate, client: trusted))
        {
            Assert.Equal("web", await withTrusted.GetAsync());
        }

        using (var without = new GatewayClient(port, trust: server.Certificate))
        {
            await Assert.ThrowsAsync<HttpRequestException>(without.GetAsync);
        }

        using (var withUntrusted = new GatewayClient(port, trust: server.Certificate, client: untrusted))
        {
            await Assert.ThrowsAsync<HttpRequestException>(withUntrusted.GetAsync);
        }

        Assert.Single(backend.Requests);
    }

    [Fact]
    public async Task A_MUTUAL_gateway_refuses_a_client_certificate_the_secrets_ca_crl_revokes()
    {
        await using var backend = await Backend.StartAsync("web");
        var server = Credential(Host);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var clientCa = TestCertificates.Root(caKey, "client-ca");
        using var kept = TestCertificates.Leaf(clientCa, "spiffe://example.com/kept", DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var revoked = TestCertificates.Leaf(clientCa, "spiffe://example.com/revoked", DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        var crl = new CertificateRevocationListBuilder();
        crl.AddEntry(revoked);
        var crlPem = PemEncoding.WriteString("X509 CRL", crl.Build(clientCa, 1, DateTimeOffset.UtcNow.AddDays(1), HashAlgorithmName.SHA256)) + "\n";
        var port = Ports.Free();
        using var config = new ConfigDirectory();
        config.Write("mesh.yaml", Mesh(backend.Port, port, "MUTUAL"));
        config.Write("secret.yaml", Secret("gw-cred", server, clientCa.ExportCertificatePem() + "\n") + $"  ca.crl: {B64(crlPem)}\n");
        await using var plane = await StartPlaneAsync(config);
        await using var gateway = await StartGatewayAsync(plane, port);

        using (var withKept = new GatewayClient(port, trust: server.Certificate, client: kept))
        {
            Assert.Equal("web", await withKept.GetAsync());
        }

        using (var withRevoked = new GatewayClient(port, trust: server.Certificate, client: revoked))
        {
            await Assert.ThrowsAsync<HttpRequestException>(withRevoked.GetAsync);
        }

        Assert.Single(backend.Requests);
    }

    [Fact]
    public async Task A_gateway_whose_secret_never_comes_waits_for_it_then_binds_without_serving_TLS()
    {
        await using var backend = await Backend.StartAsync("web");
        var port = Ports.Free();
        using var config = new ConfigDirectory();
        config.Write("mesh.yaml", Mesh(backend.Port, port, "SIMPLE"));
        await using var plane = await StartPlaneAsync(config);
        var time = new ObservedTimeProvider();
        await using var gateway = await StartGatewayAsync(plane, port, time, waitReady: false);

        // Warming: the listener waits for its secret (Envoy's initial fetch timeout, 15 s), and the proxy is not ready.
        await time.ArmedAsync(TimeSpan.FromSeconds(15));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!gateway.Host.State.Missing.Any(m => m.Contains("kubernetes://gw-cred", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the proxy never said it waits for the secret: " + string.Join("; ", gateway.Host.State.Missing));
            await Task.Delay(20);
        }

        Assert.False(gateway.Host.IsReady);
        Assert.False(gateway.Host.BoundListeners.ContainsKey(Listener(port)));

        time.Advance(TimeSpan.FromSeconds(15));
        await gateway.Host.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await gateway.Host.WaitForBoundListenersAsync(l => l.ContainsKey(Listener(port))).WaitAsync(TimeSpan.FromSeconds(15));

        using var client = new GatewayClient(port, trust: null);
        await Assert.ThrowsAsync<HttpRequestException>(client.GetAsync);
        Assert.Empty(backend.Requests);
    }

    /// <summary>The control plane with its CA: secrets are only served over its TLS port, to proxies of their namespace.</summary>
    private static Task<ControlPlane> StartPlaneAsync(ConfigDirectory config) => ControlPlane.StartAsync(
        new ControlPlaneOptions { ConfigDirectory = config.Path, XdsAddress = "127.0.0.1:0", HttpAddress = "127.0.0.1:0", SecureXdsAddress = "127.0.0.1:0", StateDirectory = config.State },
        NullLoggerFactory.Instance);

    private static async Task<RunningProxy> StartGatewayAsync(ControlPlane plane, int port, TimeProvider? time = null, bool waitReady = true, Weft.Proxy.Hosting.XdsProtocol protocol = Weft.Proxy.Hosting.XdsProtocol.StateOfTheWorld)
    {
        var proxy = await RunningProxy.StartAsync(
            plane.XdsEndpoint.ToString(),
            o => o with
            {
                XdsAddress = null,
                SecureXdsAddress = plane.SecureXdsEndpoint!.ToString(),
                RootCertFile = plane.Ca!.RootFile,
                ServiceAccount = "istio-ingressgateway",
                Labels = new Dictionary<string, string> { ["istio"] = "ingressgateway" },
                Time = time ?? TimeProvider.System,
                XdsProtocol = protocol,
            },
            waitReady: waitReady,
            nodeId: GatewayNode);
        if (waitReady)
        {
            await proxy.Host.WaitForBoundListenersAsync(l => l.ContainsKey(Listener(port))).WaitAsync(TimeSpan.FromSeconds(15));
        }

        return proxy;
    }

    private static string Listener(int port) => "127.0.0.1_" + port.ToString(CultureInfo.InvariantCulture);

    private static string Mesh(int backendPort, int gatewayPort, string mode) => $$"""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: web, namespace: default}
        spec:
          hosts: [web.default.svc.cluster.local]
          location: MESH_INTERNAL
          ports:
          - {number: 8080, name: http, protocol: HTTP}
          resolution: STATIC
          workloadSelector:
            labels: {app: web}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: web, namespace: default}
        spec:
          address: 127.0.0.1
          ports:
            http: {{backendPort}}
          labels: {app: web}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: ingressgateway, namespace: istio-system}
        spec: {address: 127.0.0.1, labels: {istio: ingressgateway}, serviceAccount: istio-ingressgateway}
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: web-gateway, namespace: istio-system}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port:
              number: {{gatewayPort}}
              name: https
              protocol: HTTPS
            bind: 127.0.0.1
            hosts: [{{Host}}]
            tls:
              mode: {{mode}}
              credentialName: gw-cred
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: istio-system}
        spec:
          hosts: [{{Host}}]
          gateways: [istio-system/web-gateway]
          http:
          - route:
            - destination:
                host: web.default.svc.cluster.local
                port: {number: 8080}
        """;

    private static string Secret(string name, (X509Certificate2 Certificate, string CertPem, string KeyPem) credential, string? caPem = null) =>
        $"apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}, namespace: istio-system}}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: {B64(credential.CertPem)}\n  tls.key: {B64(credential.KeyPem)}\n"
        + (caPem is null ? string.Empty : $"  ca.crt: {B64(caPem)}\n");

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static (X509Certificate2 Certificate, string CertPem, string KeyPem) Credential(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return (certificate, certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>
    /// An HTTPS client for https://web.example.com:PORT/ that connects to the gateway on loopback, sends the host as SNI,
    /// trusts only <c>trust</c> (anything when null), presents <c>client</c> when given, and records what the gateway presented.
    /// </summary>
    private sealed class GatewayClient : IDisposable
    {
        private readonly HttpClient _http;
        private readonly int _port;

        public GatewayClient(int port, X509Certificate2? trust, X509Certificate2? client = null)
        {
            _port = port;
            var handler = new SocketsHttpHandler
            {
                UseProxy = false,
                ConnectCallback = async (_, cancel) =>
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancel);
                    return new NetworkStream(socket, ownsSocket: true);
                },
                SslOptions = new SslClientAuthenticationOptions
                {
                    ClientCertificates = client is null ? null : [client],
                    LocalCertificateSelectionCallback = client is null ? null : (_, _, _, _, _) => client,
                    RemoteCertificateValidationCallback = (_, presented, _, _) =>
                    {
                        var certificate = new X509Certificate2(presented!);
                        Presented = certificate;
                        Handshakes++;
                        return trust is null || certificate.Thumbprint == trust.Thumbprint;
                    },
                },
            };
            _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        }

        public X509Certificate2? Presented { get; private set; }

        public int Handshakes { get; private set; }

        public Task<string> GetAsync() => _http.GetStringAsync($"https://{Host}:{_port.ToString(CultureInfo.InvariantCulture)}/");

        public void Dispose() => _http.Dispose();
    }

    private sealed class ConfigDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("weft-gateway-").FullName;

        /// <summary>The control plane's state directory (its CA), beside the configuration.</summary>
        public string State => Path + "-state";

        public void Write(string name, string text)
        {
            var target = System.IO.Path.Combine(Path, name);
            var temp = target + ".tmp";
            File.WriteAllText(temp, text);
            File.Move(temp, target, overwrite: true);
        }

        public void Dispose()
        {
            Directory.Delete(Path, recursive: true);
            if (Directory.Exists(State))
            {
                Directory.Delete(State, recursive: true);
            }
        }
    }
}
