using Weft.Control.Generators.Listeners;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Router.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using static Weft.Control.Tests.Support.ListenerTestSupport;
using Fcc = Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Types.ForwardClientCertDetails;
using ServerHeader = Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Types.ServerHeaderTransformation;

namespace Weft.Control.Tests.Generators.Listeners;

/// <summary>
/// ProxyConfig <c>proxyHeaders</c> (mesh <c>defaultConfig</c>, or a proxy's own <c>PROXY_CONFIG</c>) where istiod 1.24
/// applies them: sidecar inbound and outbound and gateway connection managers, their routers, the outbound peer
/// metadata filter and virtual hosts; proxyless gRPC connection managers never.
/// </summary>
public sealed class ProxyHeadersTests
{
    private const string Mesh = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: app, namespace: default}
        spec: {address: 10.0.0.1, labels: {app: reviews}, ports: {http: 8080}}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews.default.svc.cluster.local]
          addresses: [10.0.0.7]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 9080, name: http, protocol: HTTP}]
          workloadSelector: {labels: {app: reviews}}
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: [reviews.example.com]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews.example.com]
          gateways: [gw]
          http:
          - route: [{destination: {host: reviews.default.svc.cluster.local, port: {number: 9080}}}]
        """;

    /// <summary>Every setting away from its default.</summary>
    private static readonly ProxyHeaders All = new()
    {
        ForwardedClientCert = Fcc.Sanitize,
        SetCurrentClientCertDetails = new ClientCertDetails(Subject: false, Cert: true, Chain: true, Dns: false, Uri: false),
        RequestIdDisabled = true,
        ServerDisabled = true,
        AttemptCountDisabled = true,
        EnvoyDebugHeadersDisabled = true,
        MetadataExchangeInMeshOnly = true,
    };

    [Fact]
    public void Without_proxy_headers_every_class_keeps_istios_defaults()
    {
        var push = NewPush(Mesh);

        var inbound = Inbound(push);
        Assert.Equal(("istio-envoy", ServerHeader.Overwrite, (bool?)null), (inbound.ServerName, inbound.ServerHeaderTransformation, inbound.GenerateRequestId));
        Assert.Equal(Fcc.AppendForward, inbound.ForwardClientCertDetails);
        Assert.Equal(new HttpConnectionManager.Types.SetCurrentClientCertDetails { Subject = true, Uri = true, Dns = true }, inbound.SetCurrentClientCertDetails);

        var outbound = Outbound(push);
        Assert.Equal((string.Empty, ServerHeader.Overwrite, (bool?)null), (outbound.ServerName, outbound.ServerHeaderTransformation, outbound.GenerateRequestId));
        Assert.Equal(MetadataExchangeFilters.HttpOutbound(), outbound.HttpFilters[0].TypedConfig);

        var gateway = Gateway(push);
        Assert.Equal(("istio-envoy", ServerHeader.Overwrite, (bool?)null), (gateway.ServerName, gateway.ServerHeaderTransformation, gateway.GenerateRequestId));

        Assert.All(new[] { inbound, outbound, gateway }, m => Assert.Equal(new Router(), RouterOf(m)));
        Assert.All(VirtualHosts(push), v => Assert.True(v.IncludeRequestAttemptCount, v.Name));
    }

    [Fact]
    public void A_disabled_server_header_is_passed_through_by_every_connection_manager()
    {
        var push = NewPush(Mesh, MeshConfig.Default with { ProxyHeaders = new ProxyHeaders { ServerDisabled = true, ServerValue = "ignored" } });

        Assert.All(Managers(push), m => Assert.Equal((string.Empty, ServerHeader.PassThrough), (m.ServerName, m.ServerHeaderTransformation)));
    }

    [Fact]
    public void A_server_value_names_every_connection_manager_outbound_included()
    {
        var push = NewPush(Mesh, MeshConfig.Default with { ProxyHeaders = new ProxyHeaders { ServerValue = "acme" } });

        Assert.All(Managers(push), m => Assert.Equal(("acme", ServerHeader.Overwrite), (m.ServerName, m.ServerHeaderTransformation)));
    }

    [Fact]
    public void A_disabled_request_id_stops_every_connection_manager_generating_one()
    {
        var push = NewPush(Mesh, MeshConfig.Default with { ProxyHeaders = new ProxyHeaders { RequestIdDisabled = true } });

        Assert.All(Managers(push), m => Assert.False(m.GenerateRequestId));
    }

    [Fact]
    public void Disabled_envoy_debug_headers_make_every_router_suppress_them()
    {
        var push = NewPush(Mesh, MeshConfig.Default with { ProxyHeaders = new ProxyHeaders { EnvoyDebugHeadersDisabled = true } });

        Assert.All(Managers(push), m => Assert.Equal(new Router { SuppressEnvoyHeaders = true }, RouterOf(m)));
    }

    [Fact]
    public void A_disabled_attempt_count_leaves_it_out_of_every_virtual_host()
    {
        var push = NewPush(Mesh, MeshConfig.Default with { ProxyHeaders = new ProxyHeaders { AttemptCountDisabled = true } });

        var hosts = VirtualHosts(push);
        Assert.Contains(hosts, v => v.Name == "allow_any");
        Assert.Contains(hosts, v => v.Name == "reviews.example.com:80");
        Assert.All(hosts, v => Assert.False(v.IncludeRequestAttemptCount, v.Name));

        // istiod builds a proxyless client's virtual hosts as a sidecar's, this setting included.
        var proxyless = Sidecar(ip: "10.0.0.2", name: "client", push: push) with { IsProxylessGrpc = true };
        Assert.False(Assert.Single(RouteOf(proxyless, push, "outbound|9080||reviews.default.svc.cluster.local")!.VirtualHosts).IncludeRequestAttemptCount);
    }

    [Fact]
    public void In_mesh_metadata_exchange_headers_skip_external_clusters_on_sidecar_outbound_only()
    {
        var push = NewPush(Mesh, MeshConfig.Default with { ProxyHeaders = new ProxyHeaders { MetadataExchangeInMeshOnly = true } });

        var (type, config) = MetadataExchangeFilters.Unwrap(Outbound(push).HttpFilters[0].TypedConfig);
        Assert.Equal(TypeUrls.PeerMetadata, type);
        Assert.Equal("""[{"istio_headers":{"skip_external_clusters":true}}]""", config!.Fields["upstream_propagation"].ToString().Replace(" ", string.Empty, StringComparison.Ordinal));
        Assert.Equal(MetadataExchangeFilters.HttpOutbound(skipExternalClusters: true), Outbound(push).HttpFilters[0].TypedConfig);
        Assert.Equal(MetadataExchangeFilters.HttpOutbound(), Gateway(push).HttpFilters[0].TypedConfig);
        Assert.Equal(MetadataExchangeFilters.HttpInbound(), Inbound(push).HttpFilters[0].TypedConfig);
    }

    [Fact]
    public void Client_cert_settings_apply_to_the_sidecar_inbound_connection_manager_not_to_gateways()
    {
        var push = NewPush(Mesh, MeshConfig.Default with
        {
            ProxyHeaders = new ProxyHeaders { ForwardedClientCert = Fcc.AlwaysForwardOnly, SetCurrentClientCertDetails = new ClientCertDetails(Cert: true, Dns: false) },
        });

        var inbound = Inbound(push);
        Assert.Equal(Fcc.AlwaysForwardOnly, inbound.ForwardClientCertDetails);
        Assert.Equal(new HttpConnectionManager.Types.SetCurrentClientCertDetails { Subject = true, Uri = true, Cert = true }, inbound.SetCurrentClientCertDetails);

        var gateway = Gateway(push);
        Assert.Equal(Fcc.SanitizeSet, gateway.ForwardClientCertDetails);
        Assert.Equal(new HttpConnectionManager.Types.SetCurrentClientCertDetails { Subject = true, Cert = true, Dns = true, Uri = true }, gateway.SetCurrentClientCertDetails);
    }

    [Fact]
    public void Proxyless_grpc_connection_managers_take_none_of_it()
    {
        Assert.Equal(Proxyless(NewPush(Mesh)), Proxyless(NewPush(Mesh, MeshConfig.Default with { ProxyHeaders = All })));
    }

    [Fact]
    public void A_proxys_own_proxy_config_replaces_the_mesh_default_and_puts_it_in_a_class_of_its_own()
    {
        var push = NewPush(Mesh, MeshConfig.Default with { ProxyHeaders = All });
        var meshDefault = Sidecar(ip: "10.0.0.2", name: "client", push: push);
        var own = meshDefault with { ProxyHeaders = ProxyHeaders.Default };

        Assert.Equal(ServerHeader.PassThrough, Outbound(push, meshDefault).ServerHeaderTransformation);
        Assert.Equal(ServerHeader.Overwrite, Outbound(push, own).ServerHeaderTransformation);
        Assert.Equal("istio-envoy", Inbound(push, Sidecar(push: push) with { ProxyHeaders = ProxyHeaders.Default }).ServerName);
        Assert.Equal("istio-envoy", Gateway(push, Router(push: push) with { ProxyHeaders = ProxyHeaders.Default }).ServerName);

        Assert.NotEqual(push.ClassOf(meshDefault), push.ClassOf(own));
        Assert.Equal(push.ClassOf(own), push.ClassOf(own with { Id = "sidecar~10.0.0.3~other.default~default.svc.cluster.local" }));
        var routes = Weft.Control.Generators.GeneratorSet.Default.For(TypeUrls.RouteConfiguration)!;
        var names = new Weft.Control.Xds.NameSet.Table().Intern(["9080"]);
        Assert.False(((RouteConfiguration)routes.GenerateSet(meshDefault, push, names).Resources.Single().Message).VirtualHosts[0].IncludeRequestAttemptCount);
        Assert.True(((RouteConfiguration)routes.GenerateSet(own, push, names).Resources.Single().Message).VirtualHosts[0].IncludeRequestAttemptCount);
    }

    private static HttpConnectionManager Inbound(PushContext push, ProxyNode? proxy = null) =>
        Hcm(Chain(ListenerOf(proxy ?? Sidecar(push: push), push, "virtualInbound"), "0.0.0.0_8080"))!;

    private static HttpConnectionManager Outbound(PushContext push, ProxyNode? proxy = null) =>
        Hcm(Assert.Single(ListenerOf(proxy ?? Sidecar(ip: "10.0.0.2", name: "client", push: push), push, "0.0.0.0_9080").FilterChains))!;

    private static HttpConnectionManager Gateway(PushContext push, ProxyNode? proxy = null) =>
        Hcm(Assert.Single(ListenerOf(proxy ?? Router(push: push), push, "0.0.0.0_80").FilterChains))!;

    private static HttpConnectionManager[] Managers(PushContext push) => [Inbound(push), Outbound(push), Gateway(push)];

    private static Router RouterOf(HttpConnectionManager manager)
    {
        var router = manager.HttpFilters[^1];
        Assert.Equal(HttpFilters.RouterName, router.Name);
        return router.TypedConfig.Unpack<Router>();
    }

    /// <summary>A sidecar's virtual hosts for port 9080 (the service's and the catch-all) and the gateway's.</summary>
    private static VirtualHost[] VirtualHosts(PushContext push) =>
    [
        .. RouteOf(Sidecar(ip: "10.0.0.2", name: "client", push: push), push, "9080")!.VirtualHosts,
        .. RouteOf(Router(push: push), push, "http.80")!.VirtualHosts,
    ];

    private static HttpConnectionManager Proxyless(PushContext push)
    {
        var proxy = Sidecar(ip: "10.0.0.2", name: "client", push: push) with { IsProxylessGrpc = true };
        var listener = (Listener)Assert.Single(new ListenerGenerator().Generate(proxy, push, new HashSet<string> { "reviews.default.svc.cluster.local:9080" })).Message;
        return listener.ApiListener.ApiListener_.Unpack<HttpConnectionManager>();
    }
}
