using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Weft.Xds;

/// <summary>
/// Istio's metadata exchange filters as Istio's control plane sends them: configs of types that live in Istio's proxy
/// rather than in Envoy, so each is a <c>TypedStruct</c> naming the type with the config as a Struct. The TCP filter
/// (<see cref="TypeUrls.MetadataExchange"/>) goes first on a sidecar's inbound filter chains and on its outbound
/// clusters' <c>filters</c>: where TLS negotiated the ALPN <see cref="Protocol"/>, each side writes its workload's
/// metadata at the start of the stream and reads the peer's. The HTTP filter (<see cref="TypeUrls.PeerMetadata"/>)
/// exchanges the same metadata in the <c>x-envoy-peer-metadata</c> headers.
/// </summary>
public static class MetadataExchangeFilters
{
    /// <summary>The filters' name, network, upstream and HTTP alike.</summary>
    public const string FilterName = "istio.metadata_exchange";

    /// <summary>The ALPN value under which a TLS connection carries the TCP exchange.</summary>
    public const string Protocol = "istio-peer-exchange";

    /// <summary>The HTTP filter's lists of discovery and propagation methods, by side.</summary>
    public const string DownstreamDiscovery = "downstream_discovery";

    /// <inheritdoc cref="DownstreamDiscovery"/>
    public const string DownstreamPropagation = "downstream_propagation";

    /// <inheritdoc cref="DownstreamDiscovery"/>
    public const string UpstreamDiscovery = "upstream_discovery";

    /// <inheritdoc cref="DownstreamDiscovery"/>
    public const string UpstreamPropagation = "upstream_propagation";

    /// <summary>The method that exchanges metadata in the <c>x-envoy-peer-metadata</c> headers.</summary>
    private const string IstioHeaders = "istio_headers";

    /// <summary>The <c>istio_headers</c> propagation option that keeps the headers from clusters Istio marks external.</summary>
    private const string SkipExternalClusters = "skip_external_clusters";

    /// <summary>The TCP filter's config: the exchange under <see cref="Protocol"/>, with workload discovery on as Istio sets it.</summary>
    public static Any Tcp() => Wrap(TypeUrls.MetadataExchange, new Struct
    {
        Fields =
        {
            ["protocol"] = Value.ForString(Protocol),
            ["enable_discovery"] = Value.ForBool(true),
        },
    });

    /// <summary>The HTTP filter's config on a sidecar's inbound connection manager: discover the client from its headers (or by workload discovery), answer with ours.</summary>
    public static Any HttpInbound() => Wrap(TypeUrls.PeerMetadata, new Struct
    {
        Fields =
        {
            [DownstreamDiscovery] = Methods(IstioHeaders, "workload_discovery"),
            [DownstreamPropagation] = Methods(IstioHeaders),
        },
    });

    /// <summary>
    /// The HTTP filter's config on an outbound connection manager: send ours, discover the upstream from its answer (or by
    /// workload discovery). With <paramref name="skipExternalClusters"/> (Istio's proxyHeaders
    /// <c>metadataExchangeHeaders.mode: IN_MESH</c>) ours is sent only to clusters in the mesh, so that services outside
    /// it do not learn the workload's metadata.
    /// </summary>
    public static Any HttpOutbound(bool skipExternalClusters = false) => Wrap(TypeUrls.PeerMetadata, new Struct
    {
        Fields =
        {
            [UpstreamDiscovery] = Methods(IstioHeaders, "workload_discovery"),
            [UpstreamPropagation] = Value.ForList(Method(IstioHeaders, skipExternalClusters ? new Struct { Fields = { [SkipExternalClusters] = Value.ForBool(true) } } : new Struct())),
        },
    });

    /// <summary>
    /// The type a <c>typed_config</c> stands for: its own type URL, or the one a TypedStruct (either package) names,
    /// with the Struct it carries (null for a config that is not a TypedStruct).
    /// </summary>
    public static (string? TypeUrl, Struct? Value) Unwrap(Any? config)
    {
        if (config is null)
        {
            return (null, null);
        }

        if (config.TypeUrl == TypeUrls.UdpaTypedStruct)
        {
            var typed = Udpa.Type.V1.TypedStruct.Parser.ParseFrom(config.Value);
            return (typed.TypeUrl, typed.Value ?? new Struct());
        }

        if (config.TypeUrl == TypeUrls.XdsTypedStruct)
        {
            var typed = Cncf.Type.V3.TypedStruct.Parser.ParseFrom(config.Value);
            return (typed.TypeUrl, typed.Value ?? new Struct());
        }

        return (config.TypeUrl, null);
    }

    /// <summary>Whether a peer metadata config's list <paramref name="field"/> (one of the four above) has the <c>istio_headers</c> method.</summary>
    public static bool ListsIstioHeaders(Struct? config, string field) => IstioHeadersOptions(config, field) is not null;

    /// <summary>Whether a peer metadata config's <c>istio_headers</c> upstream propagation keeps the headers from external clusters.</summary>
    public static bool SkipsExternalClusters(Struct? config) =>
        IstioHeadersOptions(config, UpstreamPropagation) is { } options
        && options.Fields.TryGetValue(SkipExternalClusters, out var skip)
        && skip.KindCase == Value.KindOneofCase.BoolValue
        && skip.BoolValue;

    /// <summary>The options of the <c>istio_headers</c> method in list <paramref name="field"/>; null when the list has none.</summary>
    private static Struct? IstioHeadersOptions(Struct? config, string field)
    {
        if (config is null || !config.Fields.TryGetValue(field, out var list) || list.ListValue is not { } methods)
        {
            return null;
        }

        foreach (var method in methods.Values)
        {
            if (method.StructValue is { } specifier && specifier.Fields.TryGetValue(IstioHeaders, out var options))
            {
                return options.StructValue ?? new Struct();
            }
        }

        return null;
    }

    /// <summary>The ALPN value a TCP exchange config names (its <c>protocol</c>); empty when it names none.</summary>
    public static string ProtocolOf(Struct? config) =>
        config is not null && config.Fields.TryGetValue("protocol", out var value) && value.KindCase == Value.KindOneofCase.StringValue ? value.StringValue : string.Empty;

    private static Value Methods(params string[] names) => Value.ForList([.. names.Select(name => Method(name, new Struct()))]);

    /// <summary>One discovery or propagation method: <c>{NAME: OPTIONS}</c>.</summary>
    private static Value Method(string name, Struct options) => Value.ForStruct(new Struct { Fields = { [name] = Value.ForStruct(options) } });

    private static Any Wrap(string typeUrl, Struct value) => new()
    {
        TypeUrl = TypeUrls.UdpaTypedStruct,
        Value = new Udpa.Type.V1.TypedStruct { TypeUrl = typeUrl, Value = value }.ToByteString(),
    };
}
