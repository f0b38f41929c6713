using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Tests.Functional;

/// <summary>
/// Istio's <c>istio.alpn</c> filter on the client sidecar's outbound connection manager: the mTLS connection to the
/// server sidecar offers <c>istio-http/1.1</c> or <c>istio-h2</c> instead of the cluster's <c>istio-peer-exchange,istio</c>,
/// so a server whose port is sniffed (HTTP chain for Istio's HTTP ALPN, TCP chain for the rest) terminates the request
/// in its HTTP chain. Without the filter, or for a cluster whose metadata turns it off, the connection lands in the TCP
/// chain and the request never reaches the HTTP backend.
/// </summary>
public sealed class AlpnOverrideTests
{
    [Fact]
    public async Task Http1_offers_istio_http_1_1_and_reaches_the_servers_http_chain()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var tcp = TcpBackend.Echo("tcp-chain");
        await using var mesh = await Mesh.StartAsync(backend.Port, tcp.Port, MtlsResources.IstioAlpnFilter());

        using var response = await mesh.Client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/alpn");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("HTTP/1.1", Assert.Single(backend.Requests).Protocol);
        Assert.Equal(0, tcp.Connections);
    }

    [Fact]
    public async Task H2_offers_istio_h2_and_is_served_as_h2_by_the_servers_http_chain()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var tcp = TcpBackend.Echo("tcp-chain");
        await using var mesh = await Mesh.StartAsync(backend.Port, tcp.Port, MtlsResources.IstioAlpnFilter(), h2: true);

        for (var i = 0; i < 2; i++)
        {
            using var response = await mesh.Client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/alpn-h2");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, backend.Requests.Count);
        Assert.Equal(0, tcp.Connections);

        // h2 was negotiated (istio-h2 offered, h2 chosen from the rest): both requests shared one TLS connection.
        Assert.Equal(1, mesh.Server.Host.TlsCounters.Get("listener", "virtualInbound", "handshake"));
    }

    [Fact]
    public async Task Without_the_filter_the_cluster_alpn_is_offered_and_the_connection_lands_in_the_tcp_chain()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var tcp = TcpBackend.Echo("tcp-chain");
        await using var mesh = await Mesh.StartAsync(backend.Port, tcp.Port, filter: null);

        using var response = await mesh.Client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/alpn");

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(backend.Requests);
        Assert.Equal(1, tcp.Connections);
    }

    [Fact]
    public async Task A_cluster_whose_istio_metadata_says_alpn_override_false_keeps_its_own_alpn()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var tcp = TcpBackend.Echo("tcp-chain");
        await using var mesh = await Mesh.StartAsync(backend.Port, tcp.Port, MtlsResources.IstioAlpnFilter(), overrideOff: true);

        using var response = await mesh.Client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/alpn");

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(backend.Requests);
        Assert.Equal(1, tcp.Connections);
    }

    [Fact]
    public async Task An_override_for_an_unknown_upstream_protocol_is_rejected_with_the_reason()
    {
        var filter = MtlsResources.IstioAlpnFilter();
        var config = filter.TypedConfig.Unpack<Weft.Xds.Istio.Envoy.Config.Filter.Http.Alpn.V2Alpha1.FilterConfig>();
        config.AlpnOverride[0].UpstreamProtocol = (Weft.Xds.Istio.Envoy.Config.Filter.Http.Alpn.V2Alpha1.FilterConfig.Types.Protocol)7;
        filter.TypedConfig = Any.Pack(config);

        var error = Assert.Throws<Weft.Proxy.Xds.XdsRejectedException>(() => Weft.Proxy.Snapshot.Listeners.ListenerCompiler.Compile(XdsResources.HttpListener(9080, filter)));
        Assert.Contains("istio.alpn", error.Message, StringComparison.Ordinal);
        Assert.Contains("upstream_protocol", error.Message, StringComparison.Ordinal);
    }

    private sealed class Mesh : IAsyncDisposable
    {
        private readonly MeshCa _ca;
        private readonly ScriptedControlPlane _serverPlane;
        private readonly ScriptedControlPlane _clientPlane;

        private Mesh(MeshCa ca, ScriptedControlPlane serverPlane, RunningProxy server, ScriptedControlPlane clientPlane, RunningProxy client)
        {
            _ca = ca;
            _serverPlane = serverPlane;
            Server = server;
            _clientPlane = clientPlane;
            Client = client;
        }

        public RunningProxy Server { get; }

        public RunningProxy Client { get; }

        public static async Task<Mesh> StartAsync(int backendPort, int tcpPort, Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpFilter? filter, bool h2 = false, bool overrideOff = false)
        {
            var ca = await MeshCa.StartAsync();
            var serverPlane = await ScriptedControlPlane.StartAsync(MtlsResources.ServerInboundSniffed(backendPort, tcpPort));
            var server = await RunningProxy.StartAsync(serverPlane.Address, ca.Identity("server"), nodeId: MeshCa.ServerNode);
            var clientResources = MtlsResources.ClientOutbound(server.Host.InboundEndpoint.Port, h2: h2, httpFilter: filter).ToList();
            if (overrideOff)
            {
                var cluster = clientResources.OfType<Cluster>().Single();
                cluster.Metadata = new Metadata();
                cluster.Metadata.FilterMetadata["istio"] = new Struct { Fields = { ["alpn_override"] = Value.ForString("false") } };
            }

            var clientPlane = await ScriptedControlPlane.StartAsync(clientResources.Cast<IMessage>());
            var client = await RunningProxy.StartAsync(clientPlane.Address, ca.Identity("client"), nodeId: MeshCa.ClientNode);
            return new Mesh(ca, serverPlane, server, clientPlane, client);
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await _clientPlane.DisposeAsync();
            await Server.DisposeAsync();
            await _serverPlane.DisposeAsync();
            await _ca.DisposeAsync();
        }
    }
}
