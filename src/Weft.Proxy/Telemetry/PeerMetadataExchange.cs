using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Weft.Proxy.Telemetry;

/// <summary>
/// Istio's HTTP peer-metadata exchange: a client sidecar sends <c>x-envoy-peer-metadata-id</c> (its node id) and
/// <c>x-envoy-peer-metadata</c> (base64 of its metadata as a deterministically serialized protobuf Struct) with each
/// request; the server sidecar reads and removes them, and answers with its own on the response, which the client
/// reads and removes in turn. The local headers are encoded once; peers' headers are decoded once per distinct value.
/// </summary>
internal sealed class PeerMetadataExchange
{
    public const string IdHeader = "x-envoy-peer-metadata-id";
    public const string MetadataHeader = "x-envoy-peer-metadata";

    /// <summary>Distinct peer values kept decoded; past this the cache starts again (a mesh has far fewer peers).</summary>
    private const int CacheLimit = 1024;

    private readonly ConcurrentDictionary<string, WorkloadMetadata?> _decoded = new(StringComparer.Ordinal);

    public PeerMetadataExchange(string nodeId, string instanceName, WorkloadMetadata local)
    {
        LocalId = nodeId;
        Local = local;
        LocalMetadata = Convert.ToBase64String(local.ToStruct(instanceName).ToByteArray());
    }

    public WorkloadMetadata Local { get; }

    /// <summary>The value of <see cref="IdHeader"/> this proxy sends.</summary>
    public string LocalId { get; }

    /// <summary>The value of <see cref="MetadataHeader"/> this proxy sends.</summary>
    public string LocalMetadata { get; }

    /// <summary>The peer a header value describes; null when it is empty or does not decode.</summary>
    public WorkloadMetadata? Decode(string value)
    {
        if (value.Length == 0)
        {
            return null;
        }

        if (_decoded.TryGetValue(value, out var known))
        {
            return known;
        }

        if (_decoded.Count >= CacheLimit)
        {
            _decoded.Clear();
        }

        return _decoded[value] = Parse(value);
    }

    private static WorkloadMetadata? Parse(string value)
    {
        try
        {
            return WorkloadMetadata.FromStruct(Struct.Parser.ParseFrom(Convert.FromBase64String(value)));
        }
        catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
