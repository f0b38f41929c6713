using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using HttpProtocolOptions = Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;
using DiscoveryType = Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType;
using CommonHttpOptions = Weft.Xds.Envoy.Config.Core.V3.HttpProtocolOptions;
using LbPolicy = Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy;

namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>
/// Compiles a Cluster. Supported discovery types: EDS (over ADS), STATIC, STRICT_DNS and LOGICAL_DNS (names resolved when
/// connecting) and ORIGINAL_DST. Upstream HTTP/1.1 or h2c as the cluster's HTTP protocol options say (the typed
/// extension options, or the deprecated per-cluster fields, not both), with their idle timeout, connection lifetime and
/// requests per connection. The load-balancing policy, circuit breakers and outlier detection are compiled by their own
/// compilers. Active health checks are accepted and not applied. Upstream TLS (the transport socket and its per-endpoint
/// matches) is compiled by <see cref="Tls.TransportSockets"/>.
/// </summary>
internal static class ClusterCompiler
{
    /// <summary>Envoy's connect timeout when the cluster sets none.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Envoy's upstream idle timeout when the cluster sets none.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromHours(1);

    /// <summary>The header ORIGINAL_DST clusters read with <c>use_http_header</c> unless told another.</summary>
    public const string OriginalDestinationHeader = "x-envoy-original-dst-host";

    private const string ProtocolOptionsKey = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    public static ClusterModel Compile(Cluster cluster)
    {
        if (cluster.ClusterDiscoveryTypeCase == Cluster.ClusterDiscoveryTypeOneofCase.ClusterType)
        {
            throw new XdsRejectedException($"the custom cluster type {cluster.ClusterType.Name} is not supported");
        }

        var kind = cluster.Type switch
        {
            DiscoveryType.Static => DiscoveryKind.Static,
            DiscoveryType.StrictDns => DiscoveryKind.StrictDns,
            DiscoveryType.LogicalDns => DiscoveryKind.LogicalDns,
            DiscoveryType.Eds => DiscoveryKind.Eds,
            DiscoveryType.OriginalDst => DiscoveryKind.OriginalDst,
            var other => throw new XdsRejectedException($"the discovery type {other} is not known"),
        };

        var originalDst = kind == DiscoveryKind.OriginalDst;
        if (originalDst != (cluster.LbPolicy == LbPolicy.ClusterProvided))
        {
            throw new XdsRejectedException(originalDst
                ? $"an ORIGINAL_DST cluster needs lb_policy CLUSTER_PROVIDED, not {cluster.LbPolicy}"
                : $"lb_policy CLUSTER_PROVIDED is only for ORIGINAL_DST clusters, not {cluster.Type}");
        }

        var inline = LoadAssignment.Empty;
        if (cluster.LoadAssignment is { } assignment)
        {
            if (originalDst && assignment.Endpoints.Count > 0)
            {
                throw new XdsRejectedException("an ORIGINAL_DST cluster cannot list endpoints");
            }

            if (kind != DiscoveryKind.Eds)
            {
                inline = LoadAssignmentCompiler.Compile(assignment, namesAllowed: kind is DiscoveryKind.StrictDns or DiscoveryKind.LogicalDns);
            }
        }

        if (kind == DiscoveryKind.LogicalDns && inline.Hosts.Count() != 1)
        {
            throw new XdsRejectedException("a LOGICAL_DNS cluster needs exactly one endpoint");
        }

        var edsName = string.Empty;
        if (kind == DiscoveryKind.Eds)
        {
            var config = cluster.EdsClusterConfig?.EdsConfig
                ?? throw new XdsRejectedException("an EDS cluster needs eds_cluster_config.eds_config");
            if (config.ConfigSourceSpecifierCase is not (ConfigSource.ConfigSourceSpecifierOneofCase.Ads or ConfigSource.ConfigSourceSpecifierOneofCase.Self))
            {
                throw new XdsRejectedException($"EDS from {config.ConfigSourceSpecifierCase} is not supported (only ADS)");
            }

            edsName = cluster.EdsClusterConfig.ServiceName.Length > 0 ? cluster.EdsClusterConfig.ServiceName : cluster.Name;
        }

        var (protocol, common, upstreamOptions, http2) = Protocol(cluster);
        var idle = common?.IdleTimeout is { } timeout
            ? (timeout.ToTimeSpan() == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : timeout.ToTimeSpan())
            : DefaultIdleTimeout;
        var lifetime = common?.MaxConnectionDuration is { } duration && duration.ToTimeSpan() > TimeSpan.Zero ? duration.ToTimeSpan() : Timeout.InfiniteTimeSpan;
        var perConnection = common?.MaxRequestsPerConnection ?? cluster.MaxRequestsPerConnection ?? 0;
        return new ClusterModel
        {
            Name = cluster.Name,
            Kind = kind,
            EdsServiceName = edsName,
            Inline = inline,
            Connection = new ConnectionSettings(
                protocol,
                cluster.ConnectTimeout is { } connect ? connect.ToTimeSpan() : DefaultConnectTimeout,
                idle,
                Source(cluster.UpstreamBindConfig),
                cluster.DnsLookupFamily switch
                {
                    Cluster.Types.DnsLookupFamily.V4Only => AddressFamily.InterNetwork,
                    Cluster.Types.DnsLookupFamily.V6Only => AddressFamily.InterNetworkV6,
                    _ => null,
                })
            {
                MaxRequestsPerConnection = perConnection,
                MaxConnectionDuration = lifetime,
                Http2 = Http2(http2),
                Transport = Tls.TransportSockets.Compile(cluster, upstreamOptions?.AutoSni ?? false, upstreamOptions?.AutoSanValidation ?? false),
            },
            HealthyPanicThreshold = cluster.CommonLbConfig?.HealthyPanicThreshold?.Value ?? 50,
            LocalityWeighted = cluster.CommonLbConfig?.LocalityConfigSpecifierCase == Cluster.Types.CommonLbConfig.LocalityConfigSpecifierOneofCase.LocalityWeightedLbConfig,
            UpstreamPortOverride = cluster.OriginalDstLbConfig?.UpstreamPortOverride is { } port ? (int)port : null,
            OriginalDestinationHeader = cluster.OriginalDstLbConfig is { UseHttpHeader: true } dst
                ? (dst.HttpHeaderName.Length > 0 ? dst.HttpHeaderName.ToLowerInvariant() : OriginalDestinationHeader)
                : null,
            Service = Telemetry.ServiceMetadata.FromCluster(cluster.Metadata),
            AlpnOverridable = !IstioSaysNoAlpnOverride(cluster.Metadata),
            PeerExchange = PeerExchange(cluster),
            External = IstioSays(cluster.Metadata, "external"),
            MetadataExchangeDisabled = IstioSays(cluster.Metadata, "disable_mx"),
            Balancer = BalancerCompiler.Compile(cluster),
            Limits = CircuitBreakerCompiler.Compile(cluster.CircuitBreakers),
            Outlier = OutlierCompiler.Compile(cluster.OutlierDetection),
        };
    }

    /// <summary>
    /// The protocol of Istio's <c>istio.metadata_exchange</c> among the cluster's upstream network filters (the only kind
    /// this proxy acts on; Envoy's other upstream filters, which Istio does not send, are left alone).
    /// </summary>
    private static string? PeerExchange(Cluster cluster)
    {
        foreach (var filter in cluster.Filters)
        {
            var (type, values) = MetadataExchangeFilters.Unwrap(filter.TypedConfig);
            if (type == TypeUrls.MetadataExchange)
            {
                return MetadataExchangeFilters.ProtocolOf(values) is { Length: > 0 } protocol
                    ? protocol
                    : throw new XdsRejectedException($"cluster filter {filter.Name}: the metadata exchange names no protocol");
            }
        }

        return null;
    }

    /// <summary>
    /// A flag of Istio's <c>filter_metadata.istio</c>: <c>external</c>, which it sets on the clusters of MESH_EXTERNAL
    /// services, or <c>disable_mx</c>, on those whose endpoints all take HBONE.
    /// </summary>
    private static bool IstioSays(Weft.Xds.Envoy.Config.Core.V3.Metadata? metadata, string flag) =>
        metadata is not null
        && metadata.FilterMetadata.TryGetValue("istio", out var istio)
        && istio.Fields.TryGetValue(flag, out var value)
        && value.KindCase == Google.Protobuf.WellKnownTypes.Value.KindOneofCase.BoolValue
        && value.BoolValue;

    /// <summary>Istio's <c>filter_metadata.istio.alpn_override: "false"</c>: the <c>istio.alpn</c> filter leaves this cluster's ALPN alone.</summary>
    private static bool IstioSaysNoAlpnOverride(Weft.Xds.Envoy.Config.Core.V3.Metadata? metadata) =>
        metadata is not null
        && metadata.FilterMetadata.TryGetValue("istio", out var istio)
        && istio.Fields.TryGetValue("alpn_override", out var value)
        && value.StringValue == "false";

    /// <summary>
    /// What this proxy applies of HTTP/2 options: the stream limit (Envoy's default, 2^31-1, is no limit of its own) and
    /// the keepalive PINGs, whose interval and timeout are at least a second here (the HTTP client's floor).
    /// </summary>
    private static Http2Settings Http2(Weft.Xds.Envoy.Config.Core.V3.Http2ProtocolOptions? options)
    {
        if (options is null)
        {
            return Http2Settings.Default;
        }

        var streams = options.MaxConcurrentStreams is { } max and < int.MaxValue ? max : 0;
        var (interval, timeout) = (Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (options.ConnectionKeepalive is { Interval: { } every } keepalive && every.ToTimeSpan() > TimeSpan.Zero)
        {
            var floor = TimeSpan.FromSeconds(1);
            interval = every.ToTimeSpan() < floor ? floor : every.ToTimeSpan();
            var wait = keepalive.Timeout?.ToTimeSpan() ?? TimeSpan.Zero;
            timeout = wait < floor ? floor : wait;
        }

        return streams == 0 && interval == Timeout.InfiniteTimeSpan ? Http2Settings.Default : new Http2Settings(streams, interval, timeout);
    }

    /// <summary>The upstream protocol, the common HTTP options (idle timeout, lifetime, requests per connection) and the HTTP/2 ones.</summary>
    private static (UpstreamProtocol, CommonHttpOptions?, UpstreamHttpProtocolOptions?, Weft.Xds.Envoy.Config.Core.V3.Http2ProtocolOptions?) Protocol(Cluster cluster)
    {
        var deprecated = cluster.Http2ProtocolOptions is not null || cluster.HttpProtocolOptions is not null
            || cluster.CommonHttpProtocolOptions is not null || cluster.ProtocolSelection != Cluster.Types.ClusterProtocolSelection.UseConfiguredProtocol;
        if (!cluster.TypedExtensionProtocolOptions.TryGetValue(ProtocolOptionsKey, out var any))
        {
            var legacy = cluster.ProtocolSelection == Cluster.Types.ClusterProtocolSelection.UseDownstreamProtocol ? UpstreamProtocol.Downstream
                : cluster.Http2ProtocolOptions is not null ? UpstreamProtocol.Http2
                : UpstreamProtocol.Http1;
            return (legacy, cluster.CommonHttpProtocolOptions, null, cluster.Http2ProtocolOptions);
        }

        if (deprecated || cluster.MaxRequestsPerConnection is not null)
        {
            throw new XdsRejectedException($"{ProtocolOptionsKey} and the deprecated protocol fields of the cluster (http_protocol_options, http2_protocol_options, common_http_protocol_options, protocol_selection, max_requests_per_connection) cannot both be set");
        }

        HttpProtocolOptions options;
        try
        {
            options = any.Unpack<HttpProtocolOptions>();
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new XdsRejectedException($"its HTTP protocol options do not decode: {e.Message}");
        }

        var protocol = options.UpstreamProtocolOptionsCase switch
        {
            HttpProtocolOptions.UpstreamProtocolOptionsOneofCase.ExplicitHttpConfig
                when options.ExplicitHttpConfig.ProtocolConfigCase == HttpProtocolOptions.Types.ExplicitHttpConfig.ProtocolConfigOneofCase.Http2ProtocolOptions => UpstreamProtocol.Http2,
            HttpProtocolOptions.UpstreamProtocolOptionsOneofCase.UseDownstreamProtocolConfig => UpstreamProtocol.Downstream,

            // Automatic selection needs ALPN, which plaintext does not have: Envoy then speaks HTTP/1.1.
            _ => UpstreamProtocol.Http1,
        };
        var http2 = options.UpstreamProtocolOptionsCase switch
        {
            HttpProtocolOptions.UpstreamProtocolOptionsOneofCase.ExplicitHttpConfig => options.ExplicitHttpConfig.Http2ProtocolOptions,
            HttpProtocolOptions.UpstreamProtocolOptionsOneofCase.UseDownstreamProtocolConfig => options.UseDownstreamProtocolConfig.Http2ProtocolOptions,
            HttpProtocolOptions.UpstreamProtocolOptionsOneofCase.AutoConfig => options.AutoConfig.Http2ProtocolOptions,
            _ => null,
        };
        return (protocol, options.CommonHttpProtocolOptions, options.UpstreamHttpProtocolOptions, http2);
    }

    private static IPAddress? Source(BindConfig? bind)
    {
        if (bind?.SourceAddress is not { } source)
        {
            return null;
        }

        return IPAddress.TryParse(source.Address, out var ip)
            ? ip
            : throw new XdsRejectedException($"upstream_bind_config address \"{source.Address}\" is not an IP address");
    }
}
