using Weft.Control.Model;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using static Weft.Control.Tests.Support.ClusterTestSupport;

namespace Weft.Control.Tests.Generators.Clusters;

/// <summary>Upstream TLS: DestinationRule <c>tls</c> and auto mTLS (Istio's cluster_tls.go, notes §6).</summary>
public sealed class TlsTests
{
    private const string Name = "outbound|80||reviews.default.svc.cluster.local";
    private static string Backends() =>
        Service("reviews", ports: "  - name: http\n    port: 80\n  - name: grpc\n    port: 9000")
        + Workload("r1", "reviews", "10.2.0.1", serviceAccount: "reviews")
        + Workload("r2", "reviews", "10.2.0.2", serviceAccount: "bookinfo");

    private static Cluster With(string tls, string name = Name, ProxyNode? proxy = null) =>
        ClusterNamed(PushOf(Backends() + Rule("reviews", "trafficPolicy:\n  tls:\n" + string.Join('\n', tls.Split('\n').Select(l => "    " + l)))), name, proxy);

    [Fact]
    public void Auto_mtls_matches_sidecar_endpoints_and_sends_plaintext_to_others()
    {
        var cluster = ClusterNamed(PushOf(Backends()), Name);

        Assert.Null(cluster.TransportSocket);
        Assert.Equal(["tlsMode-istio", "tlsMode-disabled"], cluster.TransportSocketMatches.Select(m => m.Name));
        Assert.Equal("istio", cluster.TransportSocketMatches[0].Match.Fields["tlsMode"].StringValue);
        Assert.Empty(cluster.TransportSocketMatches[1].Match.Fields);
        Assert.Equal("envoy.transport_sockets.raw_buffer", cluster.TransportSocketMatches[1].TransportSocket.Name);

        var tls = cluster.TransportSocketMatches[0].TransportSocket.TypedConfig.Unpack<UpstreamTlsContext>();
        Assert.Equal("outbound_.80_._.reviews.default.svc.cluster.local", tls.Sni);
        Assert.Equal(["istio-peer-exchange", "istio"], tls.CommonTlsContext.AlpnProtocols);
        Assert.Equal(TlsParameters.Types.TlsProtocol.Tlsv12, tls.CommonTlsContext.TlsParams.TlsMinimumProtocolVersion);
        Assert.Equal(TlsParameters.Types.TlsProtocol.Tlsv13, tls.CommonTlsContext.TlsParams.TlsMaximumProtocolVersion);
        var certificate = Assert.Single(tls.CommonTlsContext.TlsCertificateSdsSecretConfigs);
        Assert.Equal("default", certificate.Name);
        Assert.Equal("sds-grpc", certificate.SdsConfig.ApiConfigSource.GrpcServices[0].EnvoyGrpc.ClusterName);
        var validation = tls.CommonTlsContext.CombinedValidationContext;
        Assert.Equal("ROOTCA", validation.ValidationContextSdsSecretConfig.Name);
        Assert.Equal(
            ["spiffe://cluster.local/ns/default/sa/bookinfo", "spiffe://cluster.local/ns/default/sa/reviews"],
            validation.DefaultValidationContext.MatchSubjectAltNames.Select(m => m.Exact));
    }

    [Fact]
    public void Auto_mtls_on_http2_cluster_offers_h2()
    {
        var cluster = ClusterNamed(PushOf(Backends()), "outbound|9000||reviews.default.svc.cluster.local");

        var tls = cluster.TransportSocketMatches[0].TransportSocket.TypedConfig.Unpack<UpstreamTlsContext>();
        Assert.Equal(["istio-peer-exchange", "istio", "h2"], tls.CommonTlsContext.AlpnProtocols);
    }

    [Fact]
    public void No_auto_mtls_when_disabled_in_mesh_or_by_peer_authentication()
    {
        var off = ClusterNamed(PushOf(Backends(), MeshConfig.Default with { EnableAutoMtls = false }), Name);
        var disabled = ClusterNamed(PushOf(Backends() + """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata:
              name: default
              namespace: istio-system
            spec:
              mtls:
                mode: DISABLE
            """), Name);

        Assert.Empty(off.TransportSocketMatches);
        Assert.Null(off.TransportSocket);
        Assert.Empty(disabled.TransportSocketMatches);
        Assert.Null(disabled.TransportSocket);
    }

    [Fact]
    public void Istio_mutual_rule_uses_one_socket_and_subset_sni()
    {
        var push = PushOf(Backends() + Rule("reviews", "trafficPolicy:\n  tls:\n    mode: ISTIO_MUTUAL\nsubsets:\n- name: v1\n  labels:\n    version: v1"));

        var main = ClusterNamed(push, Name);
        var subset = ClusterNamed(push, "outbound|80|v1|reviews.default.svc.cluster.local");

        Assert.Empty(main.TransportSocketMatches);
        Assert.Equal("outbound_.80_._.reviews.default.svc.cluster.local", Tls(main).Sni);
        Assert.Equal("outbound_.80_.v1_.reviews.default.svc.cluster.local", Tls(subset).Sni);
    }

    [Fact]
    public void Istio_mutual_keeps_rule_sni_and_subject_alt_names()
    {
        var tls = Tls(With("mode: ISTIO_MUTUAL\nsni: reviews.example\nsubjectAltNames:\n- spiffe://other/ns/x/sa/y"));

        Assert.Equal("reviews.example", tls.Sni);
        Assert.Equal(["spiffe://other/ns/x/sa/y"], tls.CommonTlsContext.CombinedValidationContext.DefaultValidationContext.MatchSubjectAltNames.Select(m => m.Exact));
    }

    [Fact]
    public void Simple_tls_verifies_with_file_roots_and_marks_alpn_override()
    {
        var cluster = With("mode: SIMPLE\nsni: reviews.example\ncaCertificates: /etc/certs/ca.pem\ncaCrl: /etc/certs/crl.pem\nsubjectAltNames:\n- reviews.example");

        var tls = Tls(cluster);
        Assert.Equal("reviews.example", tls.Sni);
        Assert.Empty(tls.CommonTlsContext.TlsCertificateSdsSecretConfigs);
        Assert.Empty(tls.CommonTlsContext.AlpnProtocols);
        var validation = tls.CommonTlsContext.CombinedValidationContext;
        Assert.Equal("file-root:/etc/certs/ca.pem", validation.ValidationContextSdsSecretConfig.Name);
        Assert.Equal("sds-grpc", validation.ValidationContextSdsSecretConfig.SdsConfig.ApiConfigSource.GrpcServices[0].EnvoyGrpc.ClusterName);
        Assert.Equal("/etc/certs/crl.pem", validation.DefaultValidationContext.Crl.Filename);
        Assert.Equal(["reviews.example"], validation.DefaultValidationContext.MatchSubjectAltNames.Select(m => m.Exact));
        Assert.Equal("false", cluster.Metadata.FilterMetadata["istio"].Fields["alpn_override"].StringValue);
        Assert.Empty(cluster.TransportSocketMatches);
    }

    [Fact]
    public void Simple_tls_without_sni_uses_auto_sni_and_system_roots()
    {
        var cluster = With("mode: SIMPLE");

        Assert.Equal("file-root:system", Tls(cluster).CommonTlsContext.CombinedValidationContext.ValidationContextSdsSecretConfig.Name);
        var upstream = HttpOptions(cluster)!.UpstreamHttpProtocolOptions;
        Assert.True(upstream.AutoSni);
        Assert.True(upstream.AutoSanValidation);
    }

    [Fact]
    public void Simple_tls_skipping_verification_has_no_validation()
    {
        var tls = Tls(With("mode: SIMPLE\ninsecureSkipVerify: true"));

        Assert.NotNull(tls.CommonTlsContext.ValidationContext);
        Assert.Empty(tls.CommonTlsContext.ValidationContext.MatchSubjectAltNames);
    }

    [Fact]
    public void Mutual_tls_sends_the_client_certificate_files_and_h2_alpn_on_http2_clusters()
    {
        var tls = Tls(With("mode: MUTUAL\nclientCertificate: /etc/certs/cert.pem\nprivateKey: /etc/certs/key.pem", "outbound|9000||reviews.default.svc.cluster.local"));

        Assert.Equal("file-cert:/etc/certs/cert.pem~/etc/certs/key.pem", Assert.Single(tls.CommonTlsContext.TlsCertificateSdsSecretConfigs).Name);
        Assert.Equal(["h2"], tls.CommonTlsContext.AlpnProtocols);
    }

    [Fact]
    public void Disable_sends_plaintext_even_to_sidecars()
    {
        var disabled = With("mode: DISABLE");
        Assert.Null(disabled.TransportSocket);
        Assert.Empty(disabled.TransportSocketMatches);
    }

    [Fact]
    public void Credential_name_is_for_gateways_unless_the_rule_selects_workloads()
    {
        var sidecar = With("mode: MUTUAL\ncredentialName: reviews-cert");
        var gateway = Tls(With("mode: MUTUAL\ncredentialName: reviews-cert", proxy: Gateway("default")));

        Assert.Null(sidecar.TransportSocket);
        Assert.Equal("kubernetes://reviews-cert", gateway.CommonTlsContext.TlsCertificateSdsSecretConfigs[0].Name);
        Assert.NotNull(gateway.CommonTlsContext.TlsCertificateSdsSecretConfigs[0].SdsConfig.Ads);
        Assert.Equal("kubernetes://reviews-cert-cacert", gateway.CommonTlsContext.CombinedValidationContext.ValidationContextSdsSecretConfig.Name);
    }

    [Fact]
    public void Headless_service_gets_one_mtls_socket_only_when_every_endpoint_runs_a_sidecar()
    {
        const string name = "outbound|5432||db.default.svc.cluster.local";
        var service = Service("db", clusterIp: "None", ports: "  - name: tcp\n    port: 5432");
        var withSidecars = ClusterNamed(PushOf(service + Workload("db1", "db", "10.3.0.1", serviceAccount: "db")), name);
        var mixed = ClusterNamed(PushOf(service + Workload("db1", "db", "10.3.0.1", serviceAccount: "db") + Workload("db2", "db", "10.3.0.2")), name);

        Assert.Empty(withSidecars.TransportSocketMatches);
        Assert.Equal("outbound_.5432_._.db.default.svc.cluster.local", Tls(withSidecars).Sni);
        Assert.Null(mixed.TransportSocket);
        Assert.Empty(mixed.TransportSocketMatches);
    }

    [Fact]
    public void Endpoint_tls_mode_metadata_follows_sidecar_rule_and_peer_authentication()
    {
        var plain = PushOf(Backends() + Workload("r3", "reviews", "10.2.0.3"));
        var ruleDisabled = PushOf(Backends() + Rule("reviews", "trafficPolicy:\n  tls:\n    mode: DISABLE"));
        var peerDisabled = PushOf(Backends() + """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata:
              name: r1-plain
              namespace: default
            spec:
              selector:
                matchLabels:
                  app: reviews
              portLevelMtls:
                "80":
                  mode: DISABLE
            """);

        static bool[] Mtls(Weft.Xds.Envoy.Config.Endpoint.V3.ClusterLoadAssignment assignment) =>
            assignment.Endpoints.SelectMany(l => l.LbEndpoints).Select(e => e.Metadata.FilterMetadata.ContainsKey("envoy.transport_socket_match")).ToArray();

        Assert.Equal([true, true, false], Mtls(Assignment(plain, Name)));
        Assert.Equal([false, false], Mtls(Assignment(ruleDisabled, Name)));
        Assert.Equal([false, false], Mtls(Assignment(peerDisabled, Name)));
    }
}
