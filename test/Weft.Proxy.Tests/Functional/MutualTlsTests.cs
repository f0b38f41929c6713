using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Weft.Proxy.Tests.Support;

namespace Weft.Proxy.Tests.Functional;

/// <summary>
/// Istio mutual TLS between two proxies, with certificates issued by a real control plane's CA: a client sidecar (A)
/// originates mTLS to a server sidecar (B) whose inbound chain accepts TLS only and terminates it in front of a plain
/// backend. B's configuration is hand-built in Istio's shapes (its control-plane generation is written elsewhere); A's
/// outbound cluster carries Istio's auto-mTLS transport socket matches.
/// </summary>
public sealed class MutualTlsTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Http1_goes_from_client_sidecar_to_server_sidecar_over_mutual_tls_with_identities_in_xfcc_and_telemetry()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var ca = await MeshCa.StartAsync();
        await using var pair = await SidecarPair.StartAsync(ca, backend.Port);

        using var response = await pair.Client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/hello");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("server", await response.Content.ReadAsStringAsync());

        var seen = Assert.Single(backend.Requests);
        Assert.Equal("HTTP/1.1", seen.Protocol);
        var xfcc = seen.Headers["x-forwarded-client-cert"];
        Assert.StartsWith($"By={MeshCa.ServerId};Hash=", xfcc);
        Assert.EndsWith($";Subject=\"\";URI={MeshCa.ClientId}", xfcc);

        await pair.Server.RecordedAsync(1);
        var stats = await PrometheusScrape.GetAsync(new Uri($"http://{pair.Server.Host.StatsEndpoint}"));
        Assert.Contains(
            stats.Text.Split('\n'),
            line => line.StartsWith("istio_requests_total{reporter=\"destination\"", StringComparison.Ordinal)
                && line.Contains($"source_principal=\"{MeshCa.ClientId}\"", StringComparison.Ordinal)
                && line.Contains($"destination_principal=\"{MeshCa.ServerId}\"", StringComparison.Ordinal)
                && line.Contains("connection_security_policy=\"mutual_tls\"", StringComparison.Ordinal)
                && line.Contains("response_code=\"200\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_client_sidecar_reports_the_principals_of_its_upstream_tls_connection_and_an_unknown_security_policy()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var ca = await MeshCa.StartAsync();
        await using var pair = await SidecarPair.StartAsync(ca, backend.Port);

        for (var i = 0; i < 2; i++)
        {
            using var response = await pair.Client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/who");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Istio's client side: source_principal and destination_principal from the upstream connection's certificates,
        // the destination namespace from the server's SAN, connection_security_policy unknown.
        await pair.Client.RecordedAsync(2);
        var stats = await PrometheusScrape.GetAsync(new Uri($"http://{pair.Client.Host.StatsEndpoint}"));
        var line = Assert.Single(stats.Text.Split('\n'), l => l.StartsWith("istio_requests_total{reporter=\"source\"", StringComparison.Ordinal));
        Assert.Contains($"source_principal=\"{MeshCa.ClientId}\"", line, StringComparison.Ordinal);
        Assert.Contains($"destination_principal=\"{MeshCa.ServerId}\"", line, StringComparison.Ordinal);
        Assert.Contains("destination_workload_namespace=\"default\"", line, StringComparison.Ordinal);
        Assert.Contains("connection_security_policy=\"unknown\"", line, StringComparison.Ordinal);
        Assert.EndsWith(" 2", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_client_sidecar_reports_the_upstream_principals_of_a_tcp_connection_over_mutual_tls()
    {
        await using var echo = TcpBackend.Echo("echo");
        await using var ca = await MeshCa.StartAsync();
        await using var pair = await SidecarPair.StartAsync(ca, echo.Port, tcp: true);

        await EchoedAsync(pair, "ping\n");

        var stats = await PrometheusScrape.GetAsync(new Uri($"http://{pair.Client.Host.StatsEndpoint}"));
        var line = Assert.Single(stats.Text.Split('\n'), l => l.StartsWith("istio_tcp_connections_opened_total{reporter=\"source\"", StringComparison.Ordinal));
        Assert.Contains($"source_principal=\"{MeshCa.ClientId}\"", line, StringComparison.Ordinal);
        Assert.Contains($"destination_principal=\"{MeshCa.ServerId}\"", line, StringComparison.Ordinal);
        Assert.Contains("connection_security_policy=\"unknown\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_plaintext_the_client_sidecar_reports_unknown_principals()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var ca = await MeshCa.StartAsync();
        await using var plane = await ScriptedControlPlane.StartAsync(MtlsResources.ClientOutbound(backend.Port, mtls: false));
        await using var client = await RunningProxy.StartAsync(plane.Address, ca.Identity("client"), nodeId: MeshCa.ClientNode);

        using var response = await client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/plain");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await client.RecordedAsync(1);
        var stats = await PrometheusScrape.GetAsync(new Uri($"http://{client.Host.StatsEndpoint}"));
        var line = Assert.Single(stats.Text.Split('\n'), l => l.StartsWith("istio_requests_total{reporter=\"source\"", StringComparison.Ordinal));
        Assert.Contains("source_principal=\"unknown\"", line, StringComparison.Ordinal);
        Assert.Contains("destination_principal=\"unknown\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task H2_runs_over_the_mutual_tls_connection_end_to_end()
    {
        await using var backend = await Backend.StartAsync("server", HttpProtocols.Http2);
        await using var ca = await MeshCa.StartAsync();
        await using var pair = await SidecarPair.StartAsync(ca, backend.Port, h2: true, serverH2Backend: true);

        for (var i = 0; i < 3; i++)
        {
            using var response = await pair.Client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/h2");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.All(backend.Requests, r => Assert.Equal("HTTP/2", r.Protocol));

        // B negotiated h2 by ALPN and served every request on one TLS connection from A.
        Assert.Equal(1, pair.Server.Host.TlsCounters.Get("listener", "virtualInbound", "handshake"));
    }

    [Fact]
    public async Task Tcp_is_proxied_over_mutual_tls()
    {
        await using var echo = TcpBackend.Echo("echo");
        await using var ca = await MeshCa.StartAsync();
        await using var pair = await SidecarPair.StartAsync(ca, echo.Port, tcp: true);

        using var tunnel = await RawConnection.TunnelAsync(pair.Client.Host.OutboundEndpoint, $"{MtlsResources.ServiceHost}:9080");
        await tunnel.SendAsync("ping over mtls\n");
        Assert.Equal("ping over mtls\n", await tunnel.ReadAsync("ping over mtls\n".Length));
        Assert.Equal(1, pair.Server.Host.TlsCounters.Get("listener", "virtualInbound", "handshake"));
        Assert.Equal(1, pair.Client.Host.TlsCounters.Get("cluster", MtlsResources.OutboundCluster, "handshake"));
    }

    [Fact]
    public async Task Over_tcp_the_metadata_exchange_tells_each_side_the_others_workload_and_leaves_the_bytes_alone()
    {
        await using var echo = TcpBackend.Echo("echo");
        await using var ca = await MeshCa.StartAsync();
        await using var pair = await SidecarPair.StartAsync(ca, echo.Port, tcp: true, exchange: true);

        // Neither side's frame reaches the application or the client: the echo returns exactly what was sent.
        await EchoedAsync(pair, "ping over the exchange\n");

        var server = await OpenedAsync(pair.Server, "destination");
        Assert.Contains("source_workload=\"client\"", server, StringComparison.Ordinal);
        Assert.Contains("source_workload_namespace=\"default\"", server, StringComparison.Ordinal);
        Assert.Contains($"source_principal=\"{MeshCa.ClientId}\"", server, StringComparison.Ordinal);
        var client = await OpenedAsync(pair.Client, "source");
        Assert.Contains("destination_workload=\"server\"", client, StringComparison.Ordinal);
        Assert.Contains("destination_canonical_service=\"server\"", client, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_tcp_without_the_exchange_filters_the_peers_stay_unknown()
    {
        await using var echo = TcpBackend.Echo("echo");
        await using var ca = await MeshCa.StartAsync();
        await using var pair = await SidecarPair.StartAsync(ca, echo.Port, tcp: true);

        await EchoedAsync(pair, "ping\n");

        Assert.Contains("source_workload=\"unknown\"", await OpenedAsync(pair.Server, "destination"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_speaks_first_is_heard_through_the_exchange_and_its_finish_crosses()
    {
        await using var backend = TcpBackend.FinishFirst("finisher");
        await using var ca = await MeshCa.StartAsync();
        await using var pair = await SidecarPair.StartAsync(ca, backend.Port, tcp: true, exchange: true);

        using var tunnel = await RawConnection.TunnelAsync(pair.Client.Host.OutboundEndpoint, $"{MtlsResources.ServiceHost}:9080");
        Assert.Equal("finisher done", await tunnel.ReadToEndAsync().WaitAsync(RawConnection.Wait));
        Assert.Contains("destination_workload=\"server\"", await OpenedAsync(pair.Client, "source"), StringComparison.Ordinal);
    }

    /// <summary>Sends <paramref name="text"/> through the pair's TCP service to the echo backend and expects it back, byte for byte.</summary>
    private static async Task EchoedAsync(SidecarPair pair, string text)
    {
        using var tunnel = await RawConnection.TunnelAsync(pair.Client.Host.OutboundEndpoint, $"{MtlsResources.ServiceHost}:9080");
        await tunnel.SendAsync(text);
        Assert.Equal(text, await tunnel.ReadAsync(text.Length));
    }

    /// <summary>The proxy's one <c>istio_tcp_connections_opened_total</c> line for the reporter, once the connection counts as opened.</summary>
    private static async Task<string> OpenedAsync(RunningProxy proxy, string reporter)
    {
        await proxy.Host.Telemetry.Metrics.TcpConnectionsOpened.WhenAtLeastAsync(1).WaitAsync(RawConnection.Wait);
        var stats = await PrometheusScrape.GetAsync(new Uri($"http://{proxy.Host.StatsEndpoint}"));
        return Assert.Single(stats.Text.Split('\n'), l => l.StartsWith($"istio_tcp_connections_opened_total{{reporter=\"{reporter}\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Half_close_crosses_the_mutual_tls_hop_in_both_directions()
    {
        await using var backend = TcpBackend.FinishFirst("finisher");
        await using var ca = await MeshCa.StartAsync();
        await using var pair = await SidecarPair.StartAsync(ca, backend.Port, tcp: true);

        using var tunnel = await RawConnection.TunnelAsync(pair.Client.Host.OutboundEndpoint, $"{MtlsResources.ServiceHost}:9080");

        // The backend's FIN reaches the client while the client's side stays open...
        Assert.Equal("finisher done", await tunnel.ReadToEndAsync().WaitAsync(RawConnection.Wait));

        // ...and what the client sends afterwards, then its FIN, still reach the backend.
        await tunnel.SendAsync("late words");
        tunnel.ShutdownSend();
        using var deadline = new CancellationTokenSource(RawConnection.Wait);
        while (backend.Received.IsEmpty && !deadline.IsCancellationRequested)
        {
            await Task.Delay(20);
        }

        Assert.Equal(["late words"], backend.Received);
    }

    [Fact]
    public async Task A_server_with_another_spiffe_id_is_refused_by_the_client_as_an_upstream_connect_failure()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var ca = await MeshCa.StartAsync();
        await using var pair = await SidecarPair.StartAsync(ca, backend.Port, expectedServer: MeshCa.IntruderId);

        using var response = await pair.Client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("subject alt names", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(backend.Requests);
        Assert.Equal(1, pair.Client.Host.TlsCounters.Get("cluster", MtlsResources.OutboundCluster, "fail_verify"));
        await pair.Client.RecordedAsync(1);
        var stats = await PrometheusScrape.GetAsync(new Uri($"http://{pair.Client.Host.StatsEndpoint}"));
        Assert.Contains(stats.Text.Split('\n'), l => l.StartsWith("istio_requests_total{reporter=\"source\"", StringComparison.Ordinal) && l.Contains("response_flags=\"UF\"", StringComparison.Ordinal) && l.Contains("response_code=\"503\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Client_certificates_from_another_ca_or_expired_ones_and_plaintext_are_refused_by_the_tls_only_chain()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var ca = await MeshCa.StartAsync();
        await using var pair = await SidecarPair.StartAsync(ca, backend.Port);
        var inbound = pair.Server.Host.InboundEndpoint;
        var root = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(ca.RootCertFile));

        // A certificate for the client's own SPIFFE id, but from a CA the mesh does not trust.
        using var otherRootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherRoot = TestCertificates.Root(otherRootKey, "other-ca");
        using var foreign = TestCertificates.Leaf(otherRoot, MeshCa.ClientId, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        Assert.False(await TestCertificates.HandshakeSucceedsAsync(inbound, foreign, root));

        // Signed by the mesh's own root, for the right identity, but expired.
        using var meshRoot = X509Certificate2.CreateFromPemFile(ca.RootCertFile, Path.Combine(Path.GetDirectoryName(ca.RootCertFile)!, "root-key.pem"));
        // (The root is new, backdated two minutes: the expired certificate lived 30 seconds from the root's start.)
        var rootStart = new DateTimeOffset(meshRoot.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        Assert.True(rootStart < DateTimeOffset.UtcNow.AddSeconds(-40));
        using var expired = TestCertificates.Leaf(meshRoot, MeshCa.ClientId, rootStart, rootStart.AddSeconds(30));
        Assert.False(await TestCertificates.HandshakeSucceedsAsync(inbound, expired, root));

        // The same, valid: accepted (so the two above failed for their trust and their dates).
        using var valid = TestCertificates.Leaf(meshRoot, MeshCa.ClientId, rootStart, DateTimeOffset.UtcNow.AddHours(1));
        Assert.True(await TestCertificates.HandshakeSucceedsAsync(inbound, valid, root));

        // Plaintext finds no chain (STRICT): closed without an answer.
        using (var plain = await RawConnection.ConnectAsync(inbound))
        {
            await plain.SendAsync($"GET / HTTP/1.1\r\nHost: {MtlsResources.ServiceHost}\r\n\r\n");
            Assert.True(await plain.ClosedAsync());
        }

        // Only the valid certificate's request reached the workload.
        Assert.Single(backend.Requests);
        Assert.Equal(2, pair.Server.Host.TlsCounters.Get("listener", "virtualInbound", "connection_error"));
    }

    [Fact]
    public async Task Rbac_principals_allow_one_spiffe_id_and_refuse_another_with_403()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var ca = await MeshCa.StartAsync();
        await using var pair = await SidecarPair.StartAsync(ca, backend.Port, allowed: [MeshCa.ClientId]);
        await using var intruderPlane = await ScriptedControlPlane.StartAsync(MtlsResources.ClientOutbound(pair.Server.Host.InboundEndpoint.Port));
        await using var intruder = await RunningProxy.StartAsync(intruderPlane.Address, ca.Identity("intruder"), nodeId: MeshCa.IntruderNode);

        using (var allowed = await pair.Client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using (var denied = await intruder.GetAsync($"{MtlsResources.ServiceHost}:9080", "/"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Equal("RBAC: access denied", await denied.Content.ReadAsStringAsync());
        }

        Assert.Single(backend.Requests);
    }

    [Fact]
    public async Task Certificates_rotate_every_few_seconds_under_load_without_a_failed_request_or_a_dropped_connection()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var ca = await MeshCa.StartAsync(workloadCertTtl: TimeSpan.FromSeconds(4));
        await using var pair = await SidecarPair.StartAsync(ca, backend.Port);
        var root = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(ca.RootCertFile));
        var clientSerials = new HashSet<string> { pair.Client.Host.Secrets.Workload!.Version };
        var serverSerials = new HashSet<string> { pair.Server.Host.Secrets.Workload!.Version };

        // Bounded load: sequential requests on one keep-alive connection until both sides rotated twice.
        var failures = new List<string>();
        var sent = 0;
        using var deadline = new CancellationTokenSource(Generous);
        while ((clientSerials.Count < 3 || serverSerials.Count < 3) && !deadline.IsCancellationRequested && sent < 5000)
        {
            using var response = await pair.Client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/load");
            sent++;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            clientSerials.Add(pair.Client.Host.Secrets.Workload!.Version);
            serverSerials.Add(pair.Server.Host.Secrets.Workload!.Version);
            await Task.Delay(20);
        }

        Assert.Empty(failures);
        Assert.True(clientSerials.Count >= 3 && serverSerials.Count >= 3, $"rotations seen: client {clientSerials.Count - 1}, server {serverSerials.Count - 1} in {sent} requests");

        // The connection A opened at the start carried every request: rotation dropped nothing.
        Assert.Equal(1, pair.Server.Host.TlsCounters.Get("listener", "virtualInbound", "handshake"));

        // A new connection meets B's current certificate.
        var before = pair.Server.Host.Secrets.Workload!.Version;
        var presented = await TestCertificates.ServerCertificateAsync(pair.Server.Host.InboundEndpoint, root, pair.Client.Host.Secrets.Workload!);
        var after = pair.Server.Host.Secrets.Workload!.Version;
        Assert.Contains(presented, new[] { before, after });
    }

    [Fact]
    public async Task Config_dump_shows_the_secrets_with_their_chain_and_never_the_private_key()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var ca = await MeshCa.StartAsync();
        await using var pair = await SidecarPair.StartAsync(ca, backend.Port);
        using var http = new HttpClient();

        var dump = await http.GetStringAsync(new Uri(pair.Client.Admin, "/config_dump"));
        Assert.Contains("type.googleapis.com/envoy.admin.v3.SecretsConfigDump", dump, StringComparison.Ordinal);
        Assert.Contains("\"dynamic_active_secrets\"", dump, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"default\"", dump, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"ROOTCA\"", dump, StringComparison.Ordinal);
        Assert.Contains("\"inline_string\": \"[redacted]\"", dump, StringComparison.Ordinal);
        Assert.Contains($"\"version_info\": \"{pair.Client.Host.Secrets.Workload!.Version}\"", dump, StringComparison.Ordinal);
        var chain = Convert.ToBase64String(Encoding.UTF8.GetBytes(pair.Client.Host.Secrets.Workload!.ChainPem));
        Assert.Contains(chain, dump, StringComparison.Ordinal);

        // Neither the PEM nor its base64 form of the key appears anywhere.
        var key = pair.Client.Host.Secrets.Workload!.Leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();
        Assert.DoesNotContain("PRIVATE KEY", dump, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(key))[..40], dump, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Split('\n')[1], dump, StringComparison.Ordinal);
    }

    /// <summary>Proxy B (server sidecar, hand-built Istio inbound) and proxy A (client sidecar), both with certificates from the CA.</summary>
    private sealed class SidecarPair : IAsyncDisposable
    {
        private readonly ScriptedControlPlane _serverPlane;
        private readonly ScriptedControlPlane _clientPlane;

        private SidecarPair(ScriptedControlPlane serverPlane, RunningProxy server, ScriptedControlPlane clientPlane, RunningProxy client)
        {
            _serverPlane = serverPlane;
            Server = server;
            _clientPlane = clientPlane;
            Client = client;
        }

        public RunningProxy Server { get; }

        public RunningProxy Client { get; }

        public static async Task<SidecarPair> StartAsync(MeshCa ca, int backendPort, bool tcp = false, bool h2 = false, bool serverH2Backend = false, string expectedServer = MeshCa.ServerId, string[]? allowed = null, bool exchange = false)
        {
            var serverResources = MtlsResources.ServerInbound(backendPort, tcp, exchange, allowed ?? []).ToList();
            if (serverH2Backend)
            {
                var inbound = (Weft.Xds.Envoy.Config.Cluster.V3.Cluster)serverResources[1];
                inbound.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"] = Google.Protobuf.WellKnownTypes.Any.Pack(new Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions
                {
                    UseDownstreamProtocolConfig = new Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions.Types.UseDownstreamHttpConfig { Http2ProtocolOptions = new Weft.Xds.Envoy.Config.Core.V3.Http2ProtocolOptions() },
                });
            }

            var serverPlane = await ScriptedControlPlane.StartAsync(serverResources);
            var server = await RunningProxy.StartAsync(serverPlane.Address, ca.Identity("server"), nodeId: MeshCa.ServerNode);
            var clientPlane = await ScriptedControlPlane.StartAsync(MtlsResources.ClientOutbound(server.Host.InboundEndpoint.Port, tcp, h2, expectedServer, exchange: exchange));
            var client = await RunningProxy.StartAsync(clientPlane.Address, ca.Identity("client"), nodeId: MeshCa.ClientNode);
            return new SidecarPair(serverPlane, server, clientPlane, client);
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await _clientPlane.DisposeAsync();
            await Server.DisposeAsync();
            await _serverPlane.DisposeAsync();
        }
    }
}
