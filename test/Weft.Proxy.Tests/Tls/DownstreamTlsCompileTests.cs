using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;

namespace Weft.Proxy.Tests.Tls;

/// <summary>Filter chains with a DownstreamTlsContext: compiled into what the handshake needs, or refused with the reason.</summary>
public sealed class DownstreamTlsCompileTests
{
    [Fact]
    public void Istios_strict_inbound_chain_terminates_tls_with_the_workload_secrets_and_requires_a_client_certificate()
    {
        var listener = (Listener)MtlsResources.ServerInbound(8080, tcp: false).First();
        var chain = Assert.Single(ListenerCompiler.Compile(listener).Chains);
        var tls = chain.Tls!;
        Assert.IsType<HttpChain>(chain.Action);
        Assert.True(tls.RequireClientCertificate);
        Assert.Equal("default", tls.Certificate!.SecretName);
        Assert.Equal("ROOTCA", tls.Trust.SecretName);
        Assert.Equal(["h2", "http/1.1"], tls.Alpn.Select(p => p.ToString()));
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13, tls.Protocols);
    }

    [Fact]
    public void A_chain_naming_a_secret_only_the_control_planes_sds_has_is_kept_but_closes_connections_with_the_reason()
    {
        var listener = (Listener)MtlsResources.ServerInbound(8080, tcp: true).First();
        var context = MtlsResources.ServerTls(tcp: true);
        context.CommonTlsContext.TlsCertificateSdsSecretConfigs[0].Name = "kubernetes://gateway-cert";
        listener.FilterChains[0].TransportSocket = new TransportSocket { Name = "envoy.transport_sockets.tls", TypedConfig = Any.Pack(context) };
        var chain = Assert.Single(ListenerCompiler.Compile(listener).Chains);
        Assert.Contains("kubernetes://gateway-cert", Assert.IsType<UnsupportedChain>(chain.Action).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_context_without_a_certificate_is_refused()
    {
        var listener = (Listener)MtlsResources.ServerInbound(8080, tcp: false).First();
        listener.FilterChains[0].TransportSocket = new TransportSocket { Name = "envoy.transport_sockets.tls", TypedConfig = Any.Pack(new DownstreamTlsContext { CommonTlsContext = new CommonTlsContext() }) };
        var e = Assert.Throws<XdsRejectedException>(() => ListenerCompiler.Compile(listener));
        Assert.Contains("needs a server certificate", e.Message, StringComparison.Ordinal);
    }
}
