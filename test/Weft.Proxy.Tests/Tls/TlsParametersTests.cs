using System.Net;
using System.Security.Authentication;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Tls;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using TlsProtocol = Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.TlsParameters.Types.TlsProtocol;

namespace Weft.Proxy.Tests.Tls;

/// <summary>
/// <c>tls_params</c> on both sides of a mutual-TLS hop between two real proxies: versions and cipher suites are what the
/// handshake offers (a mismatch is an upstream connect failure, 503 UF), Envoy's defaults apply when unset, and what the
/// proxy cannot honour is refused with the reason.
/// </summary>
public sealed class TlsParametersTests
{
    [Fact]
    public void Unset_parameters_take_envoys_defaults_tls_1_2_only_for_a_client_and_1_2_to_1_3_for_a_server()
    {
        var client = TlsContextCompiler.Upstream(new UpstreamTlsContext { CommonTlsContext = new CommonTlsContext() }, autoSni: false, autoSanValidation: false);
        Assert.Equal(SslProtocols.Tls12, client.Protocols);
        Assert.Null(client.CipherSuites);

        var context = MtlsResources.ServerTls(tcp: false);
        context.CommonTlsContext.TlsParams = null;
        var server = TlsContextCompiler.Downstream(context);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, server.Protocols);
    }

    [Theory]
    [InlineData("cipher_suites", "ECDHE-RSA-AES128-GCM-SHA256,NOT-A-CIPHER", "", "\"NOT-A-CIPHER\"")]
    [InlineData("ecdh_curves", "", "X25519,P-256", "cannot restrict the key exchange groups")]
    public void What_cannot_be_honoured_is_refused_naming_the_field(string field, string ciphers, string curves, string reason)
    {
        var parameters = new TlsParameters();
        parameters.CipherSuites.Add(ciphers.Split(',', StringSplitOptions.RemoveEmptyEntries));
        parameters.EcdhCurves.Add(curves.Split(',', StringSplitOptions.RemoveEmptyEntries));
        var listener = (Listener)MtlsResources.ServerInbound(8080, tcp: false).First();
        var context = MtlsResources.ServerTls(tcp: false);
        context.CommonTlsContext.TlsParams = parameters;
        listener.FilterChains[0].TransportSocket = new Weft.Xds.Envoy.Config.Core.V3.TransportSocket { Name = "envoy.transport_sockets.tls", TypedConfig = Any.Pack(context) };

        var e = Assert.Throws<XdsRejectedException>(() => Weft.Proxy.Snapshot.Listeners.ListenerCompiler.Compile(listener));
        Assert.Contains($"tls_params: {field}", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_minimum_above_the_maximum_is_refused()
    {
        var context = new UpstreamTlsContext { CommonTlsContext = new CommonTlsContext { TlsParams = new TlsParameters { TlsMinimumProtocolVersion = TlsProtocol.Tlsv13 } } };
        var e = Assert.Throws<XdsRejectedException>(() => TlsContextCompiler.Upstream(context, false, false));
        Assert.Contains("TLSv1_3 is above tls_maximum_protocol_version TLSv1_2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_limited_to_tls_1_3_refuses_a_client_limited_to_1_2_and_the_request_fails_as_uf()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var mesh = await Hop.StartAsync(backend.Port, server: Versions(TlsProtocol.Tlsv13, TlsProtocol.Tlsv13), client: Versions(TlsProtocol.Tlsv12, TlsProtocol.Tlsv12));

        using var response = await mesh.Client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/v");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("UF", await FlagsFromStats(mesh));
        Assert.Empty(backend.Requests);
    }

    [Fact]
    public async Task A_server_limited_to_tls_1_3_serves_a_client_that_offers_1_3()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var mesh = await Hop.StartAsync(backend.Port, server: Versions(TlsProtocol.Tlsv13, TlsProtocol.Tlsv13), client: Versions(TlsProtocol.Tlsv12, TlsProtocol.Tlsv13));

        using var response = await mesh.Client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/v");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task At_tls_1_2_cipher_suites_must_overlap()
    {
        await using var backend = await Backend.StartAsync("server");
        var server = Versions(TlsProtocol.Tlsv12, TlsProtocol.Tlsv12);
        server.CipherSuites.Add("[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-RSA-AES128-GCM-SHA256]");
        var mismatch = Versions(TlsProtocol.Tlsv12, TlsProtocol.Tlsv12);
        mismatch.CipherSuites.Add(["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384"]);
        await using (var refused = await Hop.StartAsync(backend.Port, server, mismatch))
        {
            using var response = await refused.Client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/c");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        var overlap = Versions(TlsProtocol.Tlsv12, TlsProtocol.Tlsv12);
        overlap.CipherSuites.Add(["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256"]);
        await using (var served = await Hop.StartAsync(backend.Port, server, overlap))
        {
            using var response = await served.Client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/c");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Single(backend.Requests);
    }

    private static TlsParameters Versions(TlsProtocol min, TlsProtocol max) => new() { TlsMinimumProtocolVersion = min, TlsMaximumProtocolVersion = max };

    private static async Task<string> FlagsFromStats(Hop mesh)
    {
        await mesh.Client.RecordedAsync(1);
        var stats = await PrometheusScrape.GetAsync(new Uri($"http://{mesh.Client.Host.StatsEndpoint}"));
        var line = stats.Text.Split('\n').Single(l => l.StartsWith("istio_requests_total{reporter=\"source\"", StringComparison.Ordinal));
        var start = line.IndexOf("response_flags=\"", StringComparison.Ordinal) + "response_flags=\"".Length;
        return line[start..line.IndexOf('"', start)];
    }

    /// <summary>A client sidecar and a server sidecar with the given tls_params on the client's cluster and the server's chain.</summary>
    private sealed class Hop : IAsyncDisposable
    {
        private readonly IAsyncDisposable[] _parts;

        private Hop(RunningProxy client, params IAsyncDisposable[] parts)
        {
            Client = client;
            _parts = parts;
        }

        public RunningProxy Client { get; }

        public static async Task<Hop> StartAsync(int backendPort, TlsParameters server, TlsParameters client)
        {
            var ca = await MeshCa.StartAsync();
            var serverResources = MtlsResources.ServerInbound(backendPort, tcp: false).ToList();
            var listener = (Listener)serverResources[0];
            var downstream = MtlsResources.ServerTls(tcp: false);
            downstream.CommonTlsContext.TlsParams = server;
            listener.FilterChains[0].TransportSocket = new Weft.Xds.Envoy.Config.Core.V3.TransportSocket { Name = "envoy.transport_sockets.tls", TypedConfig = Any.Pack(downstream) };
            var serverPlane = await ScriptedControlPlane.StartAsync(serverResources);
            var serverProxy = await RunningProxy.StartAsync(serverPlane.Address, ca.Identity("server"), nodeId: MeshCa.ServerNode);

            var clientResources = MtlsResources.ClientOutbound(serverProxy.Host.InboundEndpoint.Port).ToList();
            var match = clientResources.OfType<Cluster>().Single().TransportSocketMatches[0];
            var upstream = match.TransportSocket.TypedConfig.Unpack<UpstreamTlsContext>();
            upstream.CommonTlsContext.TlsParams = client;
            match.TransportSocket.TypedConfig = Any.Pack(upstream);
            var clientPlane = await ScriptedControlPlane.StartAsync(clientResources.Cast<IMessage>());
            var clientProxy = await RunningProxy.StartAsync(clientPlane.Address, ca.Identity("client"), nodeId: MeshCa.ClientNode);
            return new Hop(clientProxy, clientProxy, clientPlane, serverProxy, serverPlane, ca);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var part in _parts)
            {
                await part.DisposeAsync();
            }
        }
    }
}
