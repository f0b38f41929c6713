using Prometheus;

namespace Weft.Control.Metrics;

/// <summary>
/// The control plane's Prometheus metrics, with istiod's names and labels so existing dashboards read them. Each instance
/// has its own registry, so several control planes (tests) never share counters.
/// </summary>
public sealed class ControlMetrics
{
    public ControlMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Connections = factory.CreateGauge("pilot_xds", "Number of endpoints connected to this pilot using XDS.", "version");
        Pushes = factory.CreateCounter("pilot_xds_pushes", "Pilot build and send errors for lds, rds, cds and eds.", "type");
        PushTime = factory.CreateHistogram("pilot_xds_push_time", "Total time in seconds Pilot takes to push lds, rds, cds and eds.", new HistogramConfiguration
        {
            LabelNames = ["type"],
            Buckets = [.01, .1, 1, 3, 5, 10, 20, 30],
        });
        ConvergenceTime = factory.CreateHistogram("pilot_proxy_convergence_time", "Delay in seconds between config change and a proxy receiving all required configuration.", new HistogramConfiguration
        {
            Buckets = [.1, .5, 1, 3, 5, 10, 20, 30],
        });
        Rejects = factory.CreateCounter("pilot_total_xds_rejects", "Total number of XDS responses from pilot rejected by proxy.", "type");
        Services = factory.CreateGauge("pilot_services", "Total services known to pilot.");
        VirtualServices = factory.CreateGauge("pilot_virt_services", "Total virtual services known to pilot.");
        DestinationRules = factory.CreateGauge("pilot_destrule_subsets", "Duplicate subsets across destination rules for same host");
        ConfigRejections = factory.CreateGauge("pilot_total_rejected_configs", "Total number of configs that Pilot had to reject or ignore.", "type");
        ConfigSize = factory.CreateHistogram("pilot_xds_config_size_bytes", "Distribution of configuration sizes pushed to clients", new HistogramConfiguration
        {
            LabelNames = ["type"],
            Buckets = [1, 10_000, 1_000_000, 4_000_000, 10_000_000, 40_000_000],
        });
        PushTriggers = factory.CreateCounter("pilot_push_triggers", "Total number of times a push was triggered, labeled by reason for the push.", "type");
        ExpiredNonce = factory.CreateCounter("pilot_xds_expired_nonce", "Total number of XDS requests with an expired nonce.", "type");
        CsrCount = factory.CreateCounter("citadel_server_csr_count", "Certificate signing requests received by the CA.");
        CsrParsingErrors = factory.CreateCounter("citadel_server_csr_parsing_err_count", "Certificate signing requests refused because the CSR could not be parsed or its key is not accepted.");
        AuthenticationFailures = factory.CreateCounter("citadel_server_authentication_failure_count", "Certificate signing requests refused because the caller did not prove the identity it asked for.");
        CsrSignErrors = factory.CreateCounter("citadel_server_csr_sign_err_count", "Certificate signing requests that failed while signing, by error.", "error");
        CertificatesIssued = factory.CreateCounter("citadel_server_success_cert_issuance_count", "Workload certificates issued.");
        RootCertExpiry = factory.CreateGauge("citadel_server_root_cert_expiry_timestamp", "When the CA's root certificate expires, in Unix seconds.", new GaugeConfiguration { SuppressInitialValue = true });
        CertChainExpiry = factory.CreateGauge("citadel_server_cert_chain_expiry_timestamp", "When the CA's signing intermediate (plug-in CA) expires, in Unix seconds.", new GaugeConfiguration { SuppressInitialValue = true });
    }

    public CollectorRegistry Registry { get; }

    public Gauge Connections { get; }

    public Counter Pushes { get; }

    public Histogram PushTime { get; }

    public Histogram ConvergenceTime { get; }

    public Counter Rejects { get; }

    public Gauge Services { get; }

    public Gauge VirtualServices { get; }

    public Gauge DestinationRules { get; }

    public Gauge ConfigRejections { get; }

    public Histogram ConfigSize { get; }

    public Counter PushTriggers { get; }

    public Counter ExpiredNonce { get; }

    public Counter CsrCount { get; }

    public Counter CsrParsingErrors { get; }

    /// <summary>Requests refused because the caller did not prove it is the workload it asks a certificate for.</summary>
    public Counter AuthenticationFailures { get; }

    public Counter CsrSignErrors { get; }

    public Counter CertificatesIssued { get; }

    public Gauge RootCertExpiry { get; }

    /// <summary>When the plugged-in intermediate (the first certificate after the leaf) expires; absent for a self-signed root.</summary>
    public Gauge CertChainExpiry { get; }

    /// <summary>Istio's label value for a type: cds, eds, lds, rds, sds.</summary>
    public static string TypeLabel(string typeUrl) => Weft.Xds.TypeUrls.ShortName(typeUrl).ToLowerInvariant();

    public async Task WriteAsync(Stream output, CancellationToken cancel) => await Registry.CollectAndExportAsTextAsync(output, cancel).ConfigureAwait(false);
}
