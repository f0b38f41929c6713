using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Identity;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;

namespace Weft.Proxy.Tls;

/// <summary>
/// A cluster's upstream transport: its <c>transport_socket</c> (plaintext when absent) and its
/// <c>transport_socket_matches</c>, the first of which whose criteria the endpoint's
/// <c>envoy.transport_socket_match</c> metadata contains decides per endpoint (Istio's auto mTLS: <c>tlsMode: istio</c>
/// gets mTLS, everything else plaintext). Equal when compiled from equal resources, so an unchanged cluster keeps its
/// connection pool.
/// </summary>
internal sealed class TransportSockets : IEquatable<TransportSockets>
{
    public const string MatchMetadataKey = "envoy.transport_socket_match";

    public static readonly TransportSockets Plaintext = new(null, [], string.Empty);

    private TransportSockets(TlsSettings? fallback, IReadOnlyList<SocketMatch> matches, string key)
    {
        Default = fallback;
        Matches = matches;
        Key = key;
    }

    /// <summary>The cluster's own socket; null is plaintext.</summary>
    public TlsSettings? Default { get; }

    public IReadOnlyList<SocketMatch> Matches { get; }

    public bool Any => Default is not null || Matches.Any(m => m.Tls is not null);

    /// <summary>The secrets the control plane must send over ADS before the cluster can be used.</summary>
    public IEnumerable<AdsSecret> AdsSecrets() =>
        (Default?.AdsSecrets() ?? []).Concat(Matches.SelectMany(m => m.Tls?.AdsSecrets() ?? []));

    private string Key { get; }

    public static TransportSockets Compile(Cluster cluster, bool autoSni, bool autoSanValidation)
    {
        if (cluster.TransportSocket is null && cluster.TransportSocketMatches.Count == 0)
        {
            return Plaintext;
        }

        var fallback = cluster.TransportSocket is { } socket ? Socket(socket, autoSni, autoSanValidation) : null;
        var matches = new List<SocketMatch>();
        foreach (var match in cluster.TransportSocketMatches)
        {
            var criteria = (match.Match?.Fields ?? new Google.Protobuf.Collections.MapField<string, Value>())
                .Select(f => Entry(f.Key, f.Value))
                .ToArray();
            matches.Add(new SocketMatch(match.Name, criteria, match.TransportSocket is { } s ? Socket(s, autoSni, autoSanValidation) : null));
        }

        var key = new System.Text.StringBuilder();
        key.Append(autoSni).Append(autoSanValidation).Append('|');
        key.Append(cluster.TransportSocket is null ? string.Empty : Convert.ToBase64String(cluster.TransportSocket.ToByteArray()));
        foreach (var match in cluster.TransportSocketMatches)
        {
            key.Append('|').Append(Convert.ToBase64String(match.ToByteArray()));
        }

        return new TransportSockets(fallback, matches, key.ToString());
    }

    /// <summary>
    /// The socket for an endpoint (null: plaintext). A proxy without a workload identity cannot take part in Istio mTLS,
    /// so a match that would present the workload's certificate is passed over there, as for an endpoint without a
    /// sidecar; a cluster's own socket is not, and its connections fail saying the certificate is missing.
    /// </summary>
    public TlsSettings? Select(UpstreamHost? host, SecretStore secrets)
    {
        if (Matches.Count == 0)
        {
            return Default;
        }

        var metadata = host?.TransportMatch ?? string.Empty;
        foreach (var match in Matches)
        {
            if (match.Tls is { NeedsWorkloadIdentity: true } && !secrets.IdentityExpected)
            {
                continue;
            }

            if (match.Criteria.All(c => Contains(metadata, c)))
            {
                return match.Tls;
            }
        }

        return Default;
    }

    /// <summary>An endpoint's <c>envoy.transport_socket_match</c> metadata in the form <see cref="Select"/> reads.</summary>
    public static string MetadataOf(Metadata? metadata)
    {
        if (metadata is null || !metadata.FilterMetadata.TryGetValue(MatchMetadataKey, out var fields))
        {
            return string.Empty;
        }

        return string.Concat(fields.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => Entry(f.Key, f.Value) + "\n"));
    }

    public bool Equals(TransportSockets? other) => other is not null && other.Key == Key;

    public override bool Equals(object? obj) => Equals(obj as TransportSockets);

    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);

    private static bool Contains(string metadata, string entry) =>
        metadata.StartsWith(entry + "\n", StringComparison.Ordinal) || metadata.Contains("\n" + entry + "\n", StringComparison.Ordinal);

    private static string Entry(string key, Value value) => key + "=" + value.KindCase switch
    {
        Value.KindOneofCase.StringValue => "s:" + value.StringValue,
        Value.KindOneofCase.BoolValue => "b:" + (value.BoolValue ? "true" : "false"),
        Value.KindOneofCase.NumberValue => "n:" + value.NumberValue.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        Value.KindOneofCase.NullValue => "null",
        _ => "j:" + JsonFormatter.Default.Format(value),
    };

    private static TlsSettings? Socket(TransportSocket socket, bool autoSni, bool autoSanValidation)
    {
        var type = socket.TypedConfig?.TypeUrl;
        if (type == TypeUrls.RawBuffer || (type is null && socket.Name == "envoy.transport_sockets.raw_buffer"))
        {
            return null;
        }

        if (type != TypeUrls.UpstreamTlsContext)
        {
            throw new XdsRejectedException($"transport socket {socket.Name} ({type ?? "no config"}) is not supported (raw_buffer, or tls with an UpstreamTlsContext)");
        }

        UpstreamTlsContext context;
        try
        {
            context = socket.TypedConfig!.Unpack<UpstreamTlsContext>();
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new XdsRejectedException($"its UpstreamTlsContext does not decode: {e.Message}");
        }

        return TlsContextCompiler.Upstream(context, autoSni, autoSanValidation);
    }
}

/// <summary>One <c>transport_socket_matches</c> entry: its name, its criteria (<c>key=value</c>), and its socket (null: plaintext).</summary>
internal sealed record SocketMatch(string Name, IReadOnlyList<string> Criteria, TlsSettings? Tls);
