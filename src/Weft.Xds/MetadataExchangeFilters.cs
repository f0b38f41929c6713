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
            ["downstream_discovery"] = Methods("istio_headers", "workload_discovery"),
            ["downstream_propagation"] = Methods("istio_headers"),
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
            ["upstream_discovery"] = Methods("istio_headers", "workload_discovery"),
            ["upstream_propagation"] = Value.ForList(Method("istio_headers", skipExternalClusters ? new Struct { Fields = { [SkipExternalClusters] = Value.ForBool(true) } } : new Struct())),
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

    /// <summary>Whether an outbound peer metadata config (<see cref="HttpOutbound"/>) keeps the headers from external clusters.</summary>
    public static bool SkipsExternalClusters(Struct? config) =>
        config is not null
        && config.Fields.TryGetValue("upstream_propagation", out var propagation)
        && propagation.ListValue is { } methods
        && methods.Values.Any(m => m.StructValue is { } method
            && method.Fields.TryGetValue("istio_headers", out var headers)
            && headers.StructValue is { } options
            && options.Fields.TryGetValue(SkipExternalClusters, out var skip)
            && skip.KindCase == Value.KindOneofCase.BoolValue
            && skip.BoolValue);

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
