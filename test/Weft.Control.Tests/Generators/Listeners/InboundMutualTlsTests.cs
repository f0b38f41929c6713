using Weft.Control.Generators.Listeners;
using Weft.Control.Model;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using static Weft.Control.Tests.Support.ListenerTestSupport;

namespace Weft.Control.Tests.Generators.Listeners;

/// <summary>
/// PeerAuthentication on the inbound side: which chains each port of virtualInbound gets for its mTLS mode (Istio's
/// filter chain match options), the TLS the mTLS chains terminate, and how mesh, namespace, workload and port-level
/// policies combine.
/// </summary>
public sealed class InboundMutualTlsTests
{
    // Service ports 9080 (HTTP, target 8080), 9090 (gRPC), 5000 (TCP), 6000 (detected).
    private const string Workload = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: app, namespace: default}
        spec:
          address: 10.0.0.1
          labels: {app: reviews}
          ports: {http: 8080, grpc: 9090}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews.default.svc.cluster.local]
          addresses: [10.0.0.7]
          location: MESH_INTERNAL
          resolution: STATIC
          ports:
          - {number: 9080, name: http, protocol: HTTP}
          - {number: 9090, name: grpc, protocol: GRPC}
          - {number: 5000, name: tcp-data, protocol: TCP}
          - {number: 6000, name: sniffed}
          workloadSelector: {labels: {app: reviews}}
        """;

    private const string IstioAlpn = "istio,istio-peer-exchange,istio-http/1.0,istio-http/1.1,istio-h2";

    public static TheoryData<string, string, string[]> ModesAndProtocols => new()
    {
        { "PERMISSIVE", "0.0.0.0_8080", [$"tls[{IstioAlpn}] http mtls", "raw_buffer http"] },
        { "STRICT", "0.0.0.0_8080", ["tls http mtls"] },
        { "DISABLE", "0.0.0.0_8080", ["raw_buffer http"] },
        { "PERMISSIVE", "0.0.0.0_5000", [$"tls[{IstioAlpn}] tcp mtls", "tls tcp", "raw_buffer tcp"] },
        { "STRICT", "0.0.0.0_5000", ["tls tcp mtls"] },
        { "DISABLE", "0.0.0.0_5000", ["raw_buffer tcp"] },
        {
            "PERMISSIVE", "0.0.0.0_6000",
            ["tls[istio-http/1.0,istio-http/1.1,istio-h2] http mtls", "raw_buffer[http/1.1,h2c] http", "tls[istio-peer-exchange,istio] tcp mtls", "raw_buffer tcp", "tls tcp"]
        },
        { "STRICT", "0.0.0.0_6000", ["tls[istio-http/1.0,istio-http/1.1,istio-h2] http mtls", "tls tcp mtls"] },
        { "DISABLE", "0.0.0.0_6000", ["raw_buffer[http/1.1,h2c] http", "raw_buffer tcp"] },
        {
            "PERMISSIVE", "passthrough",
            ["tls[istio-http/1.0,istio-http/1.1,istio-h2] http mtls", "raw_buffer[http/1.1,h2c] http", "tls[istio-peer-exchange,istio] tcp mtls", "raw_buffer tcp", "tls tcp"]
        },
        { "STRICT", "passthrough", ["tls[istio-http/1.0,istio-http/1.1,istio-h2] http mtls", "tls tcp mtls"] },
        { "DISABLE", "passthrough", ["raw_buffer[http/1.1,h2c] http", "raw_buffer tcp"] },
    };

    [Theory]
    [MemberData(nameof(ModesAndProtocols))]
    public void Each_mode_gives_each_kind_of_port_istios_chains(string mode, string port, string[] expected)
    {
        var listener = VirtualInbound(Workload + Policy("default", "default", $"mtls: {{mode: {mode}}}"));

        Assert.Equal(expected, ChainsOf(listener, port).Select(Describe));
    }

    [Fact]
    public void Without_any_policy_ports_are_permissive()
    {
        var listener = VirtualInbound(Workload);

        Assert.Equal([$"tls[{IstioAlpn}] http mtls", "raw_buffer http"], ChainsOf(listener, "0.0.0.0_8080").Select(Describe));
        Assert.Equal(5, ChainsOf(listener, "passthrough").Count);
    }

    [Fact]
    public void Http_chains_terminate_mtls_with_the_workload_certificate_and_require_a_mesh_client_certificate()
    {
        var listener = VirtualInbound(Workload + Policy("default", "default", "mtls: {mode: STRICT}"));
        var chain = Assert.Single(ChainsOf(listener, "0.0.0.0_8080"));

        Assert.Equal("envoy.transport_sockets.tls", chain.TransportSocket.Name);
        var tls = chain.TransportSocket.TypedConfig.Unpack<DownstreamTlsContext>();
        Assert.True(tls.RequireClientCertificate);
        var common = tls.CommonTlsContext;
        Assert.Equal(["h2", "http/1.1"], common.AlpnProtocols);
        Assert.Equal(TlsParameters.Types.TlsProtocol.Tlsv12, common.TlsParams.TlsMinimumProtocolVersion);
        Assert.Equal(TlsParameters.Types.TlsProtocol.Tlsv13, common.TlsParams.TlsMaximumProtocolVersion);
        Assert.Equal(
            ["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-GCM-SHA256"],
            common.TlsParams.CipherSuites);
        var certificate = Assert.Single(common.TlsCertificateSdsSecretConfigs);
        Assert.Equal("default", certificate.Name);
        Assert.Equal("sds-grpc", certificate.SdsConfig.ApiConfigSource.GrpcServices[0].EnvoyGrpc.ClusterName);
        Assert.Equal(0, certificate.SdsConfig.InitialFetchTimeout.Seconds);
        var validation = common.CombinedValidationContext;
        Assert.Equal("ROOTCA", validation.ValidationContextSdsSecretConfig.Name);
        Assert.Equal("sds-grpc", validation.ValidationContextSdsSecretConfig.SdsConfig.ApiConfigSource.GrpcServices[0].EnvoyGrpc.ClusterName);
        // Istio always checks the peer's trust domain (TrustDomainsForValidation holds the mesh's own).
        Assert.Equal(["spiffe://cluster.local/"], validation.DefaultValidationContext.MatchSubjectAltNames.Select(m => m.Prefix));
    }

    [Fact]
    public void Tcp_chains_also_offer_istio_peer_exchange()
    {
        var listener = VirtualInbound(Workload + Policy("default", "default", "mtls: {mode: STRICT}"));
        var tls = Assert.Single(ChainsOf(listener, "0.0.0.0_5000")).TransportSocket.TypedConfig.Unpack<DownstreamTlsContext>();

        Assert.Equal(["istio-peer-exchange", "h2", "http/1.1"], tls.CommonTlsContext.AlpnProtocols);
        var detectedTcp = ChainsOf(listener, "0.0.0.0_6000")[1].TransportSocket.TypedConfig.Unpack<DownstreamTlsContext>();
        Assert.Equal(["istio-peer-exchange", "h2", "http/1.1"], detectedTcp.CommonTlsContext.AlpnProtocols);
    }

    [Fact]
    public void Trust_domain_aliases_and_mesh_mtls_settings_shape_the_server_tls()
    {
        var mesh = MeshConfigReader.Read("""
            trustDomain: example.org
            trustDomainAliases: [old.example.org, example.org]
            caCertificates: [{pem: "", trustDomains: [partner.example.com]}]
            meshMTLS: {minProtocolVersion: TLSV1_3, cipherSuites: [ECDHE-RSA-AES256-GCM-SHA384]}
            """, "mesh.yaml");
        var push = NewPush(Workload + Policy("default", "default", "mtls: {mode: STRICT}"), mesh);
        var tls = Assert.Single(ChainsOf(ListenerOf(Sidecar(push: push), push, "virtualInbound"), "0.0.0.0_8080"))
            .TransportSocket.TypedConfig.Unpack<DownstreamTlsContext>().CommonTlsContext;

        Assert.Equal(
            ["spiffe://example.org/", "spiffe://old.example.org/", "spiffe://partner.example.com/"],
            tls.CombinedValidationContext.DefaultValidationContext.MatchSubjectAltNames.Select(m => m.Prefix));
        Assert.Equal(TlsParameters.Types.TlsProtocol.Tlsv13, tls.TlsParams.TlsMinimumProtocolVersion);
        Assert.Equal(["ECDHE-RSA-AES256-GCM-SHA384"], tls.TlsParams.CipherSuites);
    }

    [Fact]
    public void Mtls_and_plaintext_http_chains_forward_client_certificate_details()
    {
        var listener = VirtualInbound(Workload);

        foreach (var chain in ChainsOf(listener, "0.0.0.0_8080"))
        {
            var hcm = Hcm(chain)!;
            Assert.Equal(Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Types.ForwardClientCertDetails.AppendForward, hcm.ForwardClientCertDetails);
            Assert.True(hcm.SetCurrentClientCertDetails.Subject);
            Assert.True(hcm.SetCurrentClientCertDetails.Uri);
            Assert.True(hcm.SetCurrentClientCertDetails.Dns);
            Assert.False(hcm.SetCurrentClientCertDetails.Cert);
        }
    }

    [Theory]
    [InlineData("mesh STRICT", "istio-system/mesh: {mtls: {mode: STRICT}}", "STRICT")]
    [InlineData("namespace overrides mesh", "istio-system/mesh: {mtls: {mode: STRICT}}|default/ns: {mtls: {mode: DISABLE}}", "DISABLE")]
    [InlineData("namespace UNSET inherits mesh", "istio-system/mesh: {mtls: {mode: STRICT}}|default/ns: {mtls: {mode: UNSET}}", "STRICT")]
    [InlineData("namespace without mtls inherits mesh", "istio-system/mesh: {mtls: {mode: DISABLE}}|default/ns: {}", "DISABLE")]
    [InlineData("workload overrides namespace", "default/ns: {mtls: {mode: STRICT}}|default/wl: {selector: {matchLabels: {app: reviews}}, mtls: {mode: DISABLE}}", "DISABLE")]
    [InlineData("workload UNSET inherits namespace", "default/ns: {mtls: {mode: STRICT}}|default/wl: {selector: {matchLabels: {app: reviews}}, mtls: {mode: UNSET}}", "STRICT")]
    [InlineData("a selector not matching the labels selects nothing", "default/ns: {mtls: {mode: STRICT}}|default/wl: {selector: {matchLabels: {app: ratings}}, mtls: {mode: DISABLE}}", "STRICT")]
    [InlineData("a selector in the root namespace selects nothing", "istio-system/wl: {selector: {matchLabels: {app: reviews}}, mtls: {mode: STRICT}}", "PERMISSIVE")]
    [InlineData("another namespace's policy does not apply", "other/ns: {mtls: {mode: STRICT}}", "PERMISSIVE")]
    public void Mesh_namespace_and_workload_policies_combine_like_istios(string why, string policies, string mode)
    {
        var yaml = Workload + string.Concat(policies.Split('|').Select(p =>
        {
            var (key, spec) = (p[..p.IndexOf(':', StringComparison.Ordinal)], p[(p.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
            var (ns, name) = (key[..key.IndexOf('/', StringComparison.Ordinal)], key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..]);
            return Policy(ns, name, spec);
        }));
        var expected = VirtualInbound(Workload + Policy("default", "default", $"mtls: {{mode: {mode}}}"));

        var listener = VirtualInbound(yaml);

        Assert.True(
            ChainsOf(expected, "0.0.0.0_8080").Select(Describe).SequenceEqual(ChainsOf(listener, "0.0.0.0_8080").Select(Describe))
            && ChainsOf(expected, "passthrough").Select(Describe).SequenceEqual(ChainsOf(listener, "passthrough").Select(Describe)),
            $"{why}: expected {mode}, got {string.Join("; ", ChainsOf(listener, "0.0.0.0_8080").Select(Describe))}");
    }

    [Fact]
    public void Port_level_disable_under_strict_leaves_that_target_port_plaintext_and_the_rest_strict()
    {
        var listener = VirtualInbound(Workload + Policy("default", "wl", """
            selector: {matchLabels: {app: reviews}}
              mtls: {mode: STRICT}
              portLevelMtls:
                8080: {mode: DISABLE}
                5000: {mode: UNSET}
            """));

        Assert.Equal(["raw_buffer http"], ChainsOf(listener, "0.0.0.0_8080").Select(Describe));
        Assert.Equal(["tls tcp mtls"], ChainsOf(listener, "0.0.0.0_5000").Select(Describe));
        Assert.Equal(["tls http mtls"], ChainsOf(listener, "0.0.0.0_9090").Select(Describe));
        Assert.Equal(["tls[istio-http/1.0,istio-http/1.1,istio-h2] http mtls", "tls tcp mtls"], ChainsOf(listener, "passthrough").Select(Describe));
    }

    [Fact]
    public void A_port_level_entry_for_an_undeclared_port_gets_passthrough_chains_of_its_own()
    {
        // 9080 is the service port, not a port the workload receives on: like 7070 it is undeclared.
        var listener = VirtualInbound(Workload + Policy("default", "wl", """
            selector: {matchLabels: {app: reviews}}
              mtls: {mode: STRICT}
              portLevelMtls:
                9080: {mode: PERMISSIVE}
                7070: {mode: DISABLE}
            """));

        var names = listener.FilterChains.Select(c => $"{c.Name}@{c.FilterChainMatch?.DestinationPort}").Distinct().ToArray();
        Assert.Equal(
            ["virtualInbound-blackhole@15006", "virtualInbound-catchall-http@", "virtualInbound@", "virtualInbound-catchall-http@7070", "virtualInbound@7070",
                "virtualInbound-catchall-http@9080", "virtualInbound@9080", "0.0.0.0_5000@5000", "0.0.0.0_6000@6000", "0.0.0.0_8080@8080", "0.0.0.0_9090@9090"],
            names);
        var port7070 = listener.FilterChains.Where(c => c.FilterChainMatch?.DestinationPort == 7070).ToArray();
        Assert.Equal(["raw_buffer[http/1.1,h2c] http", "raw_buffer tcp"], port7070.Select(Describe));
        Assert.Equal(["inline:InboundPassthroughCluster", "InboundPassthroughCluster"], port7070.Select(Target));
        Assert.Equal(5, listener.FilterChains.Count(c => c.FilterChainMatch?.DestinationPort == 9080));
        Assert.Equal(["tls http mtls"], ChainsOf(listener, "0.0.0.0_8080").Select(Describe));
    }

    [Fact]
    public void Strict_everywhere_needs_the_tls_inspector_and_no_http_inspector()
    {
        var listener = VirtualInbound(Workload + Policy("default", "default", "mtls: {mode: STRICT}"));

        Assert.Equal([ListenerFilters.OriginalDstName, ListenerFilters.TlsInspectorName], listener.ListenerFilters.Select(f => f.Name));
        Assert.Equal(15006, listener.ListenerFilters[1].FilterDisabled.DestinationPortRange.Start);
    }

    [Fact]
    public void Disable_everywhere_needs_no_tls_inspector_and_one_port_strict_switches_it_on_there_only()
    {
        var disabled = VirtualInbound(Workload + Policy("default", "default", "mtls: {mode: DISABLE}"));
        Assert.DoesNotContain(disabled.ListenerFilters, f => f.Name == ListenerFilters.TlsInspectorName);

        var onePort = VirtualInbound(Workload + Policy("default", "wl", """
            selector: {matchLabels: {app: reviews}}
              mtls: {mode: DISABLE}
              portLevelMtls: {5000: {mode: STRICT}}
            """));
        var inspector = Assert.Single(onePort.ListenerFilters, f => f.Name == ListenerFilters.TlsInspectorName);
        // Enabled only where a chain matches TLS: "not (port 5000)" is the disable predicate.
        Assert.Equal(5000, inspector.FilterDisabled.NotMatch.DestinationPortRange.Start);
    }

    [Fact]
    public void Sidecar_ingress_ports_take_the_port_level_mode_of_their_port_number_bound_or_not()
    {
        var push = NewPush(Workload + Policy("default", "wl", """
            selector: {matchLabels: {app: reviews}}
              mtls: {mode: STRICT}
              portLevelMtls: {9443: {mode: DISABLE}}
            """) + """

            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: reviews, namespace: default}
            spec:
              workloadSelector: {labels: {app: reviews}}
              ingress:
              - port: {number: 9080, protocol: HTTP, name: http}
                defaultEndpoint: 127.0.0.1:8080
                captureMode: NONE
              - port: {number: 9443, protocol: TCP, name: tcp}
                defaultEndpoint: 0.0.0.0:8443
            """);
        var listeners = ListenersOf(Sidecar(push: push), push);

        var bound = Assert.Single(listeners, l => l.Name == "10.0.0.1_9080");
        Assert.Equal(["tls http mtls"], bound.FilterChains.Select(Describe));
        Assert.Equal([ListenerFilters.TlsInspectorName], bound.ListenerFilters.Select(f => f.Name));
        var virtualInbound = Assert.Single(listeners, l => l.Name == "virtualInbound");
        Assert.Equal(["raw_buffer tcp"], ChainsOf(virtualInbound, "10.0.0.1_9443").Select(Describe));
        // 9443 is declared by the Sidecar, so it has no passthrough chains of its own.
        Assert.DoesNotContain(virtualInbound.FilterChains, c => c.Name.StartsWith("virtualInbound", StringComparison.Ordinal) && c.FilterChainMatch?.DestinationPort == 9443);
    }

    private static Listener VirtualInbound(string yaml)
    {
        var push = NewPush(yaml);
        return ListenerOf(Sidecar(push: push), push, "virtualInbound");
    }

    /// <summary>The chains of one port in listener order; <c>passthrough</c> names those for any port.</summary>
    private static IReadOnlyList<FilterChain> ChainsOf(Listener listener, string name) => name == "passthrough"
        ? listener.FilterChains.Where(c => c.Name is "virtualInbound" or "virtualInbound-catchall-http" && c.FilterChainMatch?.DestinationPort is null).ToArray()
        : listener.FilterChains.Where(c => c.Name == name).ToArray();

    /// <summary><c>TRANSPORT[ALPN] http|tcp [mtls]</c>: what a chain matches, what it runs, whether it terminates mTLS.</summary>
    private static string Describe(FilterChain chain)
    {
        var match = chain.FilterChainMatch;
        var alpn = match.ApplicationProtocols.Count > 0 ? $"[{string.Join(",", match.ApplicationProtocols)}]" : string.Empty;
        var terminates = chain.TransportSocket is { } socket && socket.TypedConfig.Is(DownstreamTlsContext.Descriptor) ? " mtls" : string.Empty;
        return $"{match.TransportProtocol}{alpn} {(Hcm(chain) is null ? "tcp" : "http")}{terminates}";
    }

    private static string Policy(string ns, string name, string spec) => $$"""

        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: {{name}}, namespace: {{ns}}}
        spec:
          {{spec}}
        """;
}
