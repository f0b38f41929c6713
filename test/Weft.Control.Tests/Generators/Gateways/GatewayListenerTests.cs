using Weft.Control.Generators.Listeners;
using Weft.Xds;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using static Weft.Control.Tests.Support.ListenerTestSupport;

namespace Weft.Control.Tests.Generators.Gateways;

public sealed class GatewayListenerTests
{
    private const string Backend = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: productpage, namespace: bookinfo}
        spec:
          hosts: [productpage.bookinfo.svc.cluster.local]
          addresses: [10.0.0.30]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 9080, name: http, protocol: HTTP}]
          endpoints: [{address: 10.1.0.30}]
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: db, namespace: bookinfo}
        spec:
          hosts: [db.bookinfo.svc.cluster.local]
          addresses: [10.0.0.31]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 5432, name: tcp, protocol: TCP}]
          endpoints: [{address: 10.1.0.31}]
        """;

    private const string HttpGateway = Backend + """

        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: bookinfo-gateway, namespace: bookinfo}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: [bookinfo.example.com]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: bookinfo, namespace: bookinfo}
        spec:
          hosts: [bookinfo.example.com]
          gateways: [bookinfo-gateway]
          http:
          - route: [{destination: {host: productpage, port: {number: 9080}}}]
        """;

    [Fact]
    public void Http_server_gets_a_bound_listener_reading_http_port_routes()
    {
        var push = NewPush(HttpGateway);
        var listener = Assert.Single(ListenersOf(Router(), push));

        Assert.Equal("0.0.0.0_80", listener.Name);
        Assert.True(listener.BindToPort);
        Assert.Equal(("0.0.0.0", 80u), (listener.Address.SocketAddress.Address, listener.Address.SocketAddress.PortValue));
        var chain = Assert.Single(listener.FilterChains);
        Assert.Null(chain.FilterChainMatch);
        Assert.Equal("rds:http.80", Target(chain));
        var hcm = Hcm(chain)!;
        Assert.True(hcm.UseRemoteAddress);
        Assert.Equal("outbound_0.0.0.0_80;", hcm.StatPrefix);
        Assert.Empty(listener.ListenerFilters);
    }

    [Fact]
    public void Gateway_applies_only_to_proxies_its_selector_matches_in_any_namespace()
    {
        var push = NewPush(HttpGateway);

        Assert.Empty(ListenersOf(Router(labels: new Dictionary<string, string> { ["istio"] = "egressgateway" }), push));
        Assert.Single(ListenersOf(Router(ns: "elsewhere"), push));
    }

    [Fact]
    public void Https_server_terminates_with_file_certificates_and_matches_its_hosts_by_sni()
    {
        var push = NewPush(Backend + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: secure, namespace: bookinfo}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 443, name: https, protocol: HTTPS}
                hosts: [bookinfo.example.com, "bookinfo/api.example.com"]
                tls:
                  mode: SIMPLE
                  serverCertificate: /etc/certs/cert.pem
                  privateKey: /etc/certs/key.pem
                  minProtocolVersion: TLSV1_2
            """);
        var listener = ListenerOf(Router(), push, "0.0.0.0_443");

        var chain = Assert.Single(listener.FilterChains);
        Assert.Equal(["api.example.com", "bookinfo.example.com"], chain.FilterChainMatch.ServerNames);
        Assert.Equal("rds:https.443.https.secure.bookinfo", Target(chain));
        Assert.Equal([ListenerFilters.TlsInspectorName], listener.ListenerFilters.Select(f => f.Name));
        var tls = chain.TransportSocket.TypedConfig.Unpack<DownstreamTlsContext>();
        Assert.Equal(false, tls.RequireClientCertificate);
        Assert.Equal(["h2", "http/1.1"], tls.CommonTlsContext.AlpnProtocols);
        var secret = Assert.Single(tls.CommonTlsContext.TlsCertificateSdsSecretConfigs);
        Assert.Equal("file-cert:/etc/certs/cert.pem~/etc/certs/key.pem", secret.Name);
        Assert.Equal("sds-grpc", secret.SdsConfig.ApiConfigSource.GrpcServices[0].EnvoyGrpc.ClusterName);
        Assert.Equal(TlsParameters.Types.TlsProtocol.Tlsv12, tls.CommonTlsContext.TlsParams.TlsMinimumProtocolVersion);
        Assert.Null(tls.CommonTlsContext.CombinedValidationContext);
    }

    [Fact]
    public void Mutual_tls_with_a_credential_name_reads_the_secret_and_its_ca_from_the_control_plane()
    {
        var push = NewPush(Backend + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: secure, namespace: bookinfo}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 443, name: https, protocol: HTTPS}
                hosts: [bookinfo.example.com]
                tls: {mode: MUTUAL, credentialName: bookinfo-cert, subjectAltNames: [client.example.com]}
            """);
        var chain = Assert.Single(ListenerOf(Router(), push, "0.0.0.0_443").FilterChains);
        var tls = chain.TransportSocket.TypedConfig.Unpack<DownstreamTlsContext>();

        Assert.Equal(true, tls.RequireClientCertificate);
        var secret = Assert.Single(tls.CommonTlsContext.TlsCertificateSdsSecretConfigs);
        Assert.Equal("kubernetes://bookinfo-cert", secret.Name);
        Assert.NotNull(secret.SdsConfig.Ads);
        var validation = tls.CommonTlsContext.CombinedValidationContext;
        Assert.Equal("kubernetes://bookinfo-cert-cacert", validation.ValidationContextSdsSecretConfig.Name);
        Assert.Equal("client.example.com", Assert.Single(validation.DefaultValidationContext.MatchSubjectAltNames).Exact);
    }

    [Fact]
    public void Istio_mutual_uses_the_workload_identity()
    {
        var push = NewPush(Backend + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: mesh-in, namespace: bookinfo}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 15443, name: https, protocol: HTTPS}
                hosts: ["*.bookinfo.svc.cluster.local"]
                tls: {mode: ISTIO_MUTUAL}
            """);
        var tls = Assert.Single(ListenerOf(Router(), push, "0.0.0.0_15443").FilterChains).TransportSocket.TypedConfig.Unpack<DownstreamTlsContext>();

        Assert.Equal("default", Assert.Single(tls.CommonTlsContext.TlsCertificateSdsSecretConfigs).Name);
        Assert.Equal("ROOTCA", tls.CommonTlsContext.CombinedValidationContext.ValidationContextSdsSecretConfig.Name);
        Assert.Equal(true, tls.RequireClientCertificate);
    }

    [Fact]
    public void Passthrough_server_routes_tls_by_sni_to_the_virtual_service_destination()
    {
        var push = NewPush(Backend + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: passthrough, namespace: bookinfo}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 443, name: tls, protocol: TLS}
                hosts: ["*.example.com"]
                tls: {mode: PASSTHROUGH}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: passthrough, namespace: bookinfo}
            spec:
              hosts: [secure.example.com, other.example.com]
              gateways: [passthrough]
              tls:
              - match: [{sniHosts: [secure.example.com], port: 443}]
                route: [{destination: {host: productpage.bookinfo.svc.cluster.local, port: {number: 9080}}}]
              - match: [{sniHosts: [other.example.com], port: 8443}]
                route: [{destination: {host: db.bookinfo.svc.cluster.local}}]
            """);
        var listener = ListenerOf(Router(), push, "0.0.0.0_443");

        var chain = Assert.Single(listener.FilterChains);
        Assert.Equal(["secure.example.com"], chain.FilterChainMatch.ServerNames);
        Assert.Null(chain.TransportSocket);
        Assert.Equal("outbound|9080||productpage.bookinfo.svc.cluster.local", Target(chain));
        Assert.Equal([ListenerFilters.TlsInspectorName], listener.ListenerFilters.Select(f => f.Name));
    }

    [Fact]
    public void Tcp_server_forwards_by_the_first_matching_tcp_route_and_without_one_has_no_listener()
    {
        const string Gateway = """

            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: tcp, namespace: bookinfo}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 5432, name: tcp, protocol: TCP}
                hosts: ["*"]
            """;
        Assert.Empty(ListenersOf(Router(), NewPush(Backend + Gateway)));

        var push = NewPush(Backend + Gateway + """

            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: db, namespace: bookinfo}
            spec:
              hosts: ["*"]
              gateways: [tcp]
              tcp:
              - match: [{port: 9999}]
                route: [{destination: {host: productpage.bookinfo.svc.cluster.local}}]
              - match: [{port: 5432}]
                route: [{destination: {host: db.bookinfo.svc.cluster.local}}]
            """);
        var chain = Assert.Single(ListenerOf(Router(), push, "0.0.0.0_5432").FilterChains);
        Assert.Equal("outbound|5432||db.bookinfo.svc.cluster.local", Target(chain));
    }

    [Fact]
    public void Http_servers_of_several_gateways_share_the_port_and_an_https_server_on_it_is_dropped()
    {
        var push = NewPush(HttpGateway + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: second, namespace: other}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 80, name: http2, protocol: HTTP}
                hosts: [second.example.com]
              - port: {number: 80, name: https, protocol: HTTPS}
                hosts: [third.example.com]
                tls: {mode: SIMPLE, credentialName: third}
            """);
        var listener = Assert.Single(ListenersOf(Router(), push));

        Assert.Equal("rds:http.80", Target(Assert.Single(listener.FilterChains)));
    }

    [Fact]
    public void Server_port_that_is_a_service_port_of_the_gateway_workload_listens_on_the_target_port()
    {
        var push = NewPush(HttpGateway + """

            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: ingress, namespace: istio-system}
            spec: {address: 10.0.0.9, labels: {istio: ingressgateway}, ports: {http: 8080}}
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: ingress, namespace: istio-system}
            spec:
              hosts: [istio-ingressgateway.istio-system.svc.cluster.local]
              location: MESH_INTERNAL
              resolution: STATIC
              ports: [{number: 80, name: http, protocol: HTTP}]
              workloadSelector: {labels: {istio: ingressgateway}}
            """);
        var router = Router(push: push);
        var listener = Assert.Single(ListenersOf(router, push));

        Assert.Equal("0.0.0.0_8080", listener.Name);
        Assert.Equal("rds:http.8080", Target(Assert.Single(listener.FilterChains)));
        Assert.Equal("bookinfo.example.com:80", Assert.Single(RouteOf(router, push, "http.8080")!.VirtualHosts).Name);
    }

    [Fact]
    public void Gateway_connection_managers_start_with_the_outbound_peer_metadata_filter()
    {
        var chain = Assert.Single(Assert.Single(ListenersOf(Router(), NewPush(HttpGateway))).FilterChains);

        var filters = Hcm(chain)!.HttpFilters;
        Assert.Equal([MetadataExchangeFilters.FilterName, HttpFilters.AlpnName, HttpFilters.FaultName, HttpFilters.CorsName, TelemetryMetrics.FilterName, HttpFilters.RouterName], filters.Select(f => f.Name));
        Assert.Equal(TypeUrls.PeerMetadata, MetadataExchangeFilters.Unwrap(filters[0].TypedConfig).TypeUrl);
        Assert.Equal([ConnectionManagers.Name], chain.Filters.Select(f => f.Name));
    }

    [Theory]
    [InlineData("{mode: ISTIO_MUTUAL}", true)]
    [InlineData("{mode: SIMPLE, credentialName: db-cert}", false)]
    public void Tcp_server_terminating_istio_mutual_runs_the_tcp_exchange_before_authorization(string tls, bool exchanges)
    {
        var push = NewPush(Backend + $$$"""

            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: mesh-tcp, namespace: bookinfo}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 15443, name: tls, protocol: TLS}
                hosts: ["*"]
                tls: {{{tls}}}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: db, namespace: bookinfo}
            spec:
              hosts: ["*"]
              gateways: [mesh-tcp]
              tcp:
              - route: [{destination: {host: db.bookinfo.svc.cluster.local}}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: ingress-deny, namespace: istio-system}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              action: DENY
              rules: [{from: [{source: {remoteIpBlocks: [203.0.113.0/24]}}]}]
            """);
        var chain = Assert.Single(ListenerOf(Router(), push, "0.0.0.0_15443").FilterChains);

        string[] rest = ["envoy.filters.network.rbac", TelemetryMetrics.FilterName, TcpProxies.Name];
        Assert.Equal(exchanges ? [MetadataExchangeFilters.FilterName, .. rest] : rest, chain.Filters.Select(f => f.Name));
        if (exchanges)
        {
            var (type, config) = MetadataExchangeFilters.Unwrap(chain.Filters[0].TypedConfig);
            Assert.Equal(TypeUrls.MetadataExchange, type);
            Assert.Equal(MetadataExchangeFilters.Protocol, MetadataExchangeFilters.ProtocolOf(config));
        }
    }

    [Fact]
    public void Gateway_gets_outbound_clusters_and_the_black_hole_but_no_sidecar_clusters()
    {
        var names = ClustersOf(Router(), NewPush(HttpGateway)).Select(c => c.Name).ToArray();

        Assert.Contains("outbound|9080||productpage.bookinfo.svc.cluster.local", names);
        Assert.Contains("BlackHoleCluster", names);
        Assert.DoesNotContain("PassthroughCluster", names);
        Assert.DoesNotContain(names, n => n.StartsWith("inbound|", StringComparison.Ordinal));
    }
}
