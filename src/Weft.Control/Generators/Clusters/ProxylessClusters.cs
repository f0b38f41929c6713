using Weft.Control.Registry;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using PolicyOutlierDetection = Weft.Api.Model.Networking.OutlierDetection;
using TrafficPolicy = Weft.Api.Model.Networking.TrafficPolicy;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// Clusters for proxyless gRPC clients, as Istio's grpcgen (cds.go) builds them: always EDS, round robin unless the rule
/// asks for LEAST_REQUEST or consistent hashing, only the <c>max_requests</c> circuit breaker (the one gRPC reads, gRFC
/// A32), and TLS only for an explicit ISTIO_MUTUAL, through gRPC's certificate provider <c>default</c>. Unlike Istio,
/// outlier detection is sent too, in a form gRPC acts on (see <see cref="OutlierDetection"/>).
/// </summary>
internal static class ProxylessClusters
{
    /// <summary>The certificate-provider instance gRPC's bootstrap defines for the workload's identity and roots.</summary>
    public const string CertificateProvider = "default";

    // Envoy's and gRPC's default failure-percentage threshold: eject a backend when more than 85% of its calls in an
    // interval failed.
    private const uint FailurePercentageThreshold = 85;
    private const uint EnvoyDefaultConsecutive5xx = 5;

    public static Cluster Build(ClusterContext context, MeshService service, ServicePort port, string subset, TrafficPolicy? policy)
    {
        var name = ResourceNames.OutboundCluster(port.Number, service.Hostname, subset);
        var cluster = new Cluster
        {
            Name = name,
            AltStatName = ResourceNames.AltStatName(name),
            Type = Cluster.Types.DiscoveryType.Eds,
            EdsClusterConfig = new Cluster.Types.EdsClusterConfig { ServiceName = name, EdsConfig = new ConfigSource { Ads = new AggregatedConfigSource() } },
        };

        if (policy?.Tls?.Mode == "ISTIO_MUTUAL")
        {
            cluster.TransportSocket = Envoy.TransportSocket(UpstreamTls.TlsSocketName, TlsContext(ServiceIdentities.For(context.Push, service)));
        }

        if (policy?.LoadBalancer is { } lb)
        {
            if (lb.ConsistentHash is not null)
            {
                LoadBalancers.ApplyConsistentHash(cluster, lb.ConsistentHash);
            }
            else if (lb.Simple == "LEAST_REQUEST")
            {
                // Only the current name: grpcgen leaves LEAST_CONN (and RANDOM, PASSTHROUGH) at gRPC's round robin.
                cluster.LbPolicy = Cluster.Types.LbPolicy.LeastRequest;
            }
        }

        if (policy?.ConnectionPool?.Http?.Http2MaxRequests is > 0 and var max)
        {
            cluster.CircuitBreakers = new CircuitBreakers { Thresholds = { new CircuitBreakers.Types.Thresholds { MaxRequests = (uint)max } } };
        }

        cluster.OutlierDetection = OutlierDetection(policy?.OutlierDetection);
        return cluster;
    }

    /// <summary>
    /// Outlier detection for gRPC. DELIBERATE DIFFERENCE FROM ISTIO: grpcgen sends none. gRPC's client (gRFC A50) only
    /// runs the success-rate and failure-percentage algorithms and ignores consecutive_5xx / consecutive_gateway_failure,
    /// so Istio's sidecar mapping alone (which turns success rate off) would eject nothing. Weft sends that mapping (for
    /// config dumps and any Envoy reading it) plus a failure-percentage equivalent of the consecutive-error count N:
    /// <list type="bullet">
    /// <item><c>failure_percentage_request_volume: N</c>: a backend is judged only once it took N calls in an interval,
    /// as N consecutive errors need at least N calls (gRPC's default, 50, would rarely be reached by small services).</item>
    /// <item><c>failure_percentage_minimum_hosts: 1</c>: gRPC counts the backends that reached that volume and skips the
    /// algorithm below this number; its default of 5 would never eject anything behind a service with 2 to 4 backends.</item>
    /// <item><c>failure_percentage_threshold: 85</c> (Envoy's and gRPC's default): gRPC ejects when more than this share
    /// of a backend's calls failed. gRPC counts every non-OK status as a failure, application errors included, so a high
    /// threshold keeps "mostly failing", the nearest to N errors in a row, rather than "sometimes failing".</item>
    /// <item><c>enforcing_failure_percentage: 100</c>: eject every time (gRPC treats 0 or unset as "algorithm off").</item>
    /// </list>
    /// N is the smallest enforced count among consecutive5xxErrors (Envoy's default 5 when unset) and
    /// consecutiveGatewayErrors; when the rule turns both off (0), no failure-percentage ejection is sent either. Ejection
    /// runs every <c>interval</c> (default 10s) and is still capped by <c>maxEjectionPercent</c>, which gRPC lets eject at
    /// least one backend.
    /// </summary>
    public static OutlierDetection? OutlierDetection(PolicyOutlierDetection? rule)
    {
        if (OutlierDetections.For(rule) is not { } detection)
        {
            return null;
        }

        var counts = new List<uint>();
        var consecutive5xx = rule!.Consecutive5xxErrors is { } c ? (uint)c : EnvoyDefaultConsecutive5xx;
        if (consecutive5xx > 0)
        {
            counts.Add(consecutive5xx);
        }

        if (rule.ConsecutiveGatewayErrors is > 0 and var gateway)
        {
            counts.Add((uint)gateway);
        }

        if (counts.Count > 0)
        {
            detection.FailurePercentageThreshold = FailurePercentageThreshold;
            detection.EnforcingFailurePercentage = 100;
            detection.FailurePercentageMinimumHosts = 1;
            detection.FailurePercentageRequestVolume = counts.Min();
        }

        return detection;
    }

    /// <summary>
    /// Istio's grpcgen TLS context: certificates and roots from gRPC's certificate provider, SANs the service's
    /// identities. The deprecated provider-instance fields (11, and 4 in the combined context) are sent too, for gRPC
    /// clients older than the plugin-instance fields.
    /// </summary>
    public static UpstreamTlsContext TlsContext(IReadOnlyList<string> serviceAccounts)
    {
        var validation = new CertificateValidationContext
        {
            CaCertificateProviderInstance = new CertificateProviderPluginInstance { InstanceName = CertificateProvider, CertificateName = ResourceNames.RootCaSecret },
        };
        validation.MatchSubjectAltNames.AddRange(UpstreamTls.ExactMatchers(serviceAccounts));
        return new UpstreamTlsContext
        {
            CommonTlsContext = new CommonTlsContext
            {
                TlsCertificateProviderInstance = new CertificateProviderPluginInstance { InstanceName = CertificateProvider, CertificateName = ResourceNames.DefaultSecret },
                TlsCertificateCertificateProviderInstance = new CommonTlsContext.Types.CertificateProviderInstance { InstanceName = CertificateProvider, CertificateName = ResourceNames.DefaultSecret },
                CombinedValidationContext = new CommonTlsContext.Types.CombinedCertificateValidationContext
                {
                    DefaultValidationContext = validation,
                    ValidationContextCertificateProviderInstance = new CommonTlsContext.Types.CertificateProviderInstance { InstanceName = CertificateProvider, CertificateName = ResourceNames.RootCaSecret },
                },
            },
        };
    }
}
