using System.Net;
using System.Net.Sockets;

namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>
/// A compiled cluster: how it finds endpoints and connects to them. <see cref="Connection"/> holds everything that
/// shapes the upstream connection pool, so two clusters with equal connection settings can share one.
/// </summary>
internal sealed record ClusterModel
{
    public required string Name { get; init; }

    public required DiscoveryKind Kind { get; init; }

    /// <summary>The assignment name EDS delivers this cluster's endpoints under.</summary>
    public string EdsServiceName { get; init; } = string.Empty;

    /// <summary>Endpoints given in the cluster itself (STATIC and DNS clusters).</summary>
    public LoadAssignment Inline { get; init; } = LoadAssignment.Empty;

    public required ConnectionSettings Connection { get; init; }

    /// <summary>Below this share of healthy hosts Envoy balances over all hosts (panic); 0 turns panic off.</summary>
    public double HealthyPanicThreshold { get; init; } = 50;

    /// <summary><c>locality_weighted_lb_config</c>: pick a locality by weight first, then a host in it.</summary>
    public bool LocalityWeighted { get; init; }

    /// <summary>ORIGINAL_DST: the port to use instead of the original one.</summary>
    public int? UpstreamPortOverride { get; init; }

    /// <summary>ORIGINAL_DST: read the destination from this request header instead (Envoy's <c>use_http_header</c>).</summary>
    public string? OriginalDestinationHeader { get; init; }

    /// <summary>Istio's <c>filter_metadata.istio.external: true</c>: the cluster leads out of the mesh (a MESH_EXTERNAL ServiceEntry).</summary>
    public bool External { get; init; }

    /// <summary>Istio's <c>filter_metadata.istio.disable_mx: true</c>: no peer metadata headers are sent to this cluster.</summary>
    public bool MetadataExchangeDisabled { get; init; }

    /// <summary>
    /// The ALPN under which the cluster's <c>istio.metadata_exchange</c> upstream filter exchanges workload metadata with
    /// the upstream over its TCP connections (Istio's <c>istio-peer-exchange</c>); null when it has no such filter.
    /// </summary>
    public string? PeerExchange { get; init; }

    /// <summary>Why requests to this cluster cannot be served; null when they can.</summary>
    public string? Unsupported { get; init; }

    /// <summary>The load-balancing policy and its parameters.</summary>
    public BalancerSettings Balancer { get; init; } = BalancerSettings.RoundRobin;

    /// <summary>The circuit-breaker thresholds (Envoy's defaults when the cluster sets none).</summary>
    public CircuitBreakerLimits Limits { get; init; } = CircuitBreakerLimits.Default;

    /// <summary>Outlier detection; null when the cluster has none.</summary>
    public OutlierSettings? Outlier { get; init; }

    /// <summary>The service the cluster stands for (Istio's cluster metadata), for telemetry; null when it says none.</summary>
    public Telemetry.ServiceMetadata? Service { get; init; }

    /// <summary>Whether Istio's <c>istio.alpn</c> filter may change the ALPN of this cluster's TLS connections (its metadata can say no).</summary>
    public bool AlpnOverridable { get; init; } = true;
}

/// <summary>
/// What a cluster's upstream connections need: protocol, timeouts, source address and address family, how many requests
/// one connection may carry (0: no limit) and how long it may live.
/// </summary>
internal sealed record ConnectionSettings(
    UpstreamProtocol Protocol,
    TimeSpan ConnectTimeout,
    TimeSpan IdleTimeout,
    IPAddress? SourceAddress,
    AddressFamily? DnsFamily)
{
    public uint MaxRequestsPerConnection { get; init; }

    public TimeSpan MaxConnectionDuration { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>Plaintext or TLS, per endpoint (the cluster's transport socket and its matches).</summary>
    public Tls.TransportSockets Transport { get; init; } = Tls.TransportSockets.Plaintext;

    /// <summary>The cluster's <c>http2_protocol_options</c> this proxy applies to its HTTP/2 connections.</summary>
    public Http2Settings Http2 { get; init; } = Http2Settings.Default;
}

/// <summary>
/// Upstream HTTP/2 options: at most <paramref name="MaxConcurrentStreams"/> streams per connection (0: the server's
/// limit alone), and a PING every <paramref name="PingInterval"/> that must be answered within
/// <paramref name="PingTimeout"/> or the connection is closed (<c>connection_keepalive</c>; infinite: none).
/// </summary>
internal sealed record Http2Settings(uint MaxConcurrentStreams, TimeSpan PingInterval, TimeSpan PingTimeout)
{
    public static readonly Http2Settings Default = new(0, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
}
