using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Weft.Proxy.Telemetry;

/// <summary>
/// Istio's TCP metadata exchange, the wire side: on a TLS connection whose ALPN is <c>istio-peer-exchange</c> and whose
/// listener chain (server) or cluster (client) has the <c>istio.metadata_exchange</c> filter, each side starts its
/// stream with a frame, a big-endian magic <c>0x3D230467</c> and length, then an <c>Any</c> holding a Struct with
/// <c>x-envoy-peer-metadata</c> (the workload's metadata, as the HTTP exchange sends it) and
/// <c>x-envoy-peer-metadata-id</c> (the node id); and reads the peer's frame from the start of what it receives. A
/// stream that does not start with the magic is the application's own bytes, left as they are (the peer does not take
/// part, as Envoy treats it).
/// </summary>
internal sealed class TcpPeerExchange
{
    public const uint Magic = 0x3D230467;

    /// <summary>The magic and the length, before the payload.</summary>
    public const int HeaderLength = 8;

    /// <summary>A frame longer than this is refused: workload metadata is a few hundred bytes.</summary>
    public const int MaxPayload = 64 * 1024;

    private const string StructTypeUrl = "type.googleapis.com/google.protobuf.Struct";

    private readonly byte[] _frame;

    public TcpPeerExchange(string nodeId, string instanceName, WorkloadMetadata local)
    {
        var data = new Struct
        {
            Fields =
            {
                [PeerMetadataExchange.MetadataHeader] = Value.ForStruct(local.ToStruct(instanceName)),
                [PeerMetadataExchange.IdHeader] = Value.ForString(nodeId),
            },
        };
        var payload = new Any { TypeUrl = StructTypeUrl, Value = data.ToByteString() }.ToByteArray();
        _frame = new byte[HeaderLength + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(_frame, Magic);
        BinaryPrimitives.WriteUInt32BigEndian(_frame.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(_frame, HeaderLength);
    }

    /// <summary>The frame this proxy starts its side of an exchanging connection with.</summary>
    public ReadOnlyMemory<byte> LocalFrame => _frame;

    /// <summary>
    /// Reads the peer's frame from the start of <paramref name="received"/>: <see cref="PeerFrame.NeedMore"/> until it can
    /// tell, <see cref="PeerFrame.Absent"/> when the bytes are not a frame (none consumed), <see cref="PeerFrame.Read"/>
    /// with the frame's length in <paramref name="consumed"/> and the peer it describes (null when its payload says
    /// nothing usable), <see cref="PeerFrame.Invalid"/> for a frame too long or that does not parse.
    /// </summary>
    public static PeerFrame TryRead(ReadOnlySequence<byte> received, out long consumed, out WorkloadMetadata? peer)
    {
        consumed = 0;
        peer = null;
        if (received.Length < HeaderLength)
        {
            return received.Length >= 4 && ReadUInt32(received, 0) != Magic ? PeerFrame.Absent : PeerFrame.NeedMore;
        }

        if (ReadUInt32(received, 0) != Magic)
        {
            return PeerFrame.Absent;
        }

        var length = ReadUInt32(received, 4);
        if (length > MaxPayload)
        {
            return PeerFrame.Invalid;
        }

        if (received.Length < HeaderLength + length)
        {
            return PeerFrame.NeedMore;
        }

        try
        {
            var any = Any.Parser.ParseFrom(received.Slice(HeaderLength, length));
            if (any.TypeUrl == StructTypeUrl
                && Struct.Parser.ParseFrom(any.Value).Fields.TryGetValue(PeerMetadataExchange.MetadataHeader, out var metadata)
                && metadata.KindCase == Value.KindOneofCase.StructValue)
            {
                peer = WorkloadMetadata.FromStruct(metadata.StructValue);
            }
        }
        catch (InvalidProtocolBufferException)
        {
            return PeerFrame.Invalid;
        }

        consumed = HeaderLength + length;
        return PeerFrame.Read;
    }

    private static uint ReadUInt32(ReadOnlySequence<byte> bytes, long offset)
    {
        Span<byte> word = stackalloc byte[4];
        bytes.Slice(offset, 4).CopyTo(word);
        return BinaryPrimitives.ReadUInt32BigEndian(word);
    }
}

/// <summary>What the start of a peer's stream said (<see cref="TcpPeerExchange.TryRead"/>).</summary>
internal enum PeerFrame
{
    NeedMore,
    Absent,
    Read,
    Invalid,
}
