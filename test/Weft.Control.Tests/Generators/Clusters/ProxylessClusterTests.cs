using Weft.Xds.Envoy.Config.Cluster.V3;
using static Weft.Control.Tests.Support.ClusterTestSupport;

namespace Weft.Control.Tests.Generators.Clusters;

/// <summary>Clusters for proxyless gRPC clients (Istio's grpcgen cds.go, plus Weft's outlier-detection mapping for gRFC A50).</summary>
public sealed class ProxylessClusterTests
{
    private const string Name = "outbound|9000||echo.default.svc.cluster.local";

    private static Cluster With(string policy, string name = Name) =>
        ClusterNamed(PushOf(Service("echo", ports: "  - name: grpc\n    port: 9000")
            + Workload("e1", "echo", "10.2.0.1", serviceAccount: "echo", labels: "version: v1")
            + Rule("echo", policy)), name, Proxyless());

    [Fact]
    public void Minimal_eds_cluster_with_round_robin()
    {
        var cluster = ClusterNamed(PushOf(Service("echo", ports: "  - name: grpc\n    port: 9000")), Name, Proxyless());

        Assert.Equal(Cluster.Types.DiscoveryType.Eds, cluster.Type);
        Assert.Equal(Name, cluster.EdsClusterConfig.ServiceName);
        Assert.NotNull(cluster.EdsClusterConfig.EdsConfig.Ads);
        Assert.Equal(Cluster.Types.LbPolicy.RoundRobin, cluster.LbPolicy);
        Assert.Equal(Name + ";", cluster.AltStatName);
        Assert.Null(cluster.ConnectTimeout);
        Assert.Null(cluster.CircuitBreakers);
        Assert.Null(cluster.TransportSocket);
        Assert.Empty(cluster.TransportSocketMatches);
        Assert.Empty(cluster.TypedExtensionProtocolOptions);
    }

    [Fact]
    public void Least_request_ring_hash_and_only_max_requests()
    {
        var leastRequest = With("trafficPolicy:\n  loadBalancer:\n    simple: LEAST_REQUEST\n  connectionPool:\n    tcp:\n      maxConnections: 5\n    http:\n      http2MaxRequests: 100");
        var ringHash = With("trafficPolicy:\n  loadBalancer:\n    consistentHash:\n      httpHeaderName: x-user");
        var leastConn = With("trafficPolicy:\n  loadBalancer:\n    simple: LEAST_CONN");

        Assert.Equal(Cluster.Types.LbPolicy.LeastRequest, leastRequest.LbPolicy);
        var threshold = Assert.Single(leastRequest.CircuitBreakers.Thresholds);
        Assert.Equal(100u, threshold.MaxRequests);
        Assert.Null(threshold.MaxConnections);
        Assert.Equal(Cluster.Types.LbPolicy.RingHash, ringHash.LbPolicy);
        Assert.Equal(1024ul, ringHash.RingHashLbConfig.MinimumRingSize);
        Assert.Equal(Cluster.Types.LbPolicy.RoundRobin, leastConn.LbPolicy);
    }

    [Fact]
    public void Istio_mutual_uses_grpc_certificate_provider()
    {
        var cluster = With("trafficPolicy:\n  tls:\n    mode: ISTIO_MUTUAL");

        var common = Tls(cluster).CommonTlsContext;
        Assert.Equal("default", common.TlsCertificateProviderInstance.InstanceName);
        Assert.Equal("default", common.TlsCertificateProviderInstance.CertificateName);
        Assert.Equal("default", common.TlsCertificateCertificateProviderInstance.CertificateName);
        var validation = common.CombinedValidationContext;
        Assert.Equal("ROOTCA", validation.DefaultValidationContext.CaCertificateProviderInstance.CertificateName);
        Assert.Equal("ROOTCA", validation.ValidationContextCertificateProviderInstance.CertificateName);
        Assert.Equal(["spiffe://cluster.local/ns/default/sa/echo"], validation.DefaultValidationContext.MatchSubjectAltNames.Select(m => m.Exact));
        Assert.Empty(common.TlsCertificateSdsSecretConfigs);
    }

    [Fact]
    public void Simple_tls_and_auto_mtls_are_not_sent()
    {
        Assert.Null(With("trafficPolicy:\n  tls:\n    mode: SIMPLE").TransportSocket);
        Assert.Null(With("trafficPolicy:\n  loadBalancer:\n    simple: ROUND_ROBIN").TransportSocket);
    }

    [Fact]
    public void Consecutive_errors_become_failure_percentage_ejection_grpc_acts_on()
    {
        var detection = With("trafficPolicy:\n  outlierDetection:\n    consecutive5xxErrors: 3\n    interval: 1s\n    baseEjectionTime: 30s").OutlierDetection;

        Assert.Equal(0u, detection.EnforcingSuccessRate);
        Assert.Equal(3u, detection.Consecutive5Xx);
        Assert.Equal(1, detection.Interval.Seconds);
        Assert.Equal(30, detection.BaseEjectionTime.Seconds);
        Assert.Equal(100u, detection.EnforcingFailurePercentage);
        Assert.Equal(85u, detection.FailurePercentageThreshold);
        Assert.Equal(1u, detection.FailurePercentageMinimumHosts);
        Assert.Equal(3u, detection.FailurePercentageRequestVolume);
    }

    [Fact]
    public void Failure_percentage_volume_is_envoys_default_five_or_the_smaller_enforced_count()
    {
        var unset = With("trafficPolicy:\n  outlierDetection:\n    interval: 2s").OutlierDetection;
        var gateway = With("trafficPolicy:\n  outlierDetection:\n    consecutive5xxErrors: 0\n    consecutiveGatewayErrors: 2").OutlierDetection;
        var off = With("trafficPolicy:\n  outlierDetection:\n    consecutive5xxErrors: 0").OutlierDetection;

        Assert.Equal(5u, unset.FailurePercentageRequestVolume);
        Assert.Equal(2u, gateway.FailurePercentageRequestVolume);
        Assert.Null(off.EnforcingFailurePercentage);
        Assert.Null(off.FailurePercentageRequestVolume);
    }

    [Fact]
    public void Subset_cluster_is_built_only_when_asked_for_with_merged_policy()
    {
        var cluster = With(
            "trafficPolicy:\n  connectionPool:\n    http:\n      http2MaxRequests: 10\nsubsets:\n- name: v1\n  labels:\n    version: v1\n  trafficPolicy:\n    loadBalancer:\n      simple: LEAST_REQUEST",
            "outbound|9000|v1|echo.default.svc.cluster.local");

        Assert.Equal("outbound|9000|v1|echo.default.svc.cluster.local", cluster.EdsClusterConfig.ServiceName);
        Assert.Equal(Cluster.Types.LbPolicy.LeastRequest, cluster.LbPolicy);
        Assert.Equal(10u, cluster.CircuitBreakers.Thresholds[0].MaxRequests);
    }
}
