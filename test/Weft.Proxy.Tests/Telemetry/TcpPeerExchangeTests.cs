using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Telemetry;

namespace Weft.Proxy.Tests.Telemetry;

/// <summary>The TCP metadata exchange's frame: what this proxy writes, and how it reads a peer's off the start of a stream.</summary>
public sealed class TcpPeerExchangeTests
{
    private static readonly WorkloadMetadata Client = new("client", "shop", "storefront", "v3", "storefront", "v3", "Kubernetes", "spiffe://cluster.local/ns/shop/sa/client");

    [Fact]
    public void The_local_frame_is_the_magic_the_length_and_a_Struct_with_the_metadata_and_the_node_id()
    {
        var frame = new TcpPeerExchange("sidecar~10.0.0.1~client-1.shop~shop.svc.cluster.local", "client-1", Client).LocalFrame.ToArray();

        Assert.Equal(0x3D230467u, BinaryPrimitives.ReadUInt32BigEndian(frame));
        Assert.Equal((uint)(frame.Length - 8), BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(4)));
        var any = Any.Parser.ParseFrom(frame.AsSpan(8));
        Assert.Equal("type.googleapis.com/google.protobuf.Struct", any.TypeUrl);
        var data = Struct.Parser.ParseFrom(any.Value);
        Assert.Equal("sidecar~10.0.0.1~client-1.shop~shop.svc.cluster.local", data.Fields["x-envoy-peer-metadata-id"].StringValue);
        var metadata = data.Fields["x-envoy-peer-metadata"].StructValue;
        Assert.Equal("client", metadata.Fields["WORKLOAD_NAME"].StringValue);
        Assert.Equal("shop", metadata.Fields["NAMESPACE"].StringValue);
        Assert.Equal("client-1", metadata.Fields["NAME"].StringValue);
    }

    [Fact]
    public void A_frame_followed_by_the_applications_bytes_reads_as_the_peer_and_its_own_length()
    {
        var frame = new TcpPeerExchange("node", "client-1", Client).LocalFrame.ToArray();
        var stream = frame.Concat("GET / HTTP/1.1\r\n"u8.ToArray()).ToArray();

        Assert.Equal(PeerFrame.Read, TcpPeerExchange.TryRead(new ReadOnlySequence<byte>(stream), out var consumed, out var peer));
        Assert.Equal(frame.Length, consumed);
        Assert.Equal(Client, peer);
    }

    [Fact]
    public void A_frame_read_in_pieces_needs_more_until_it_is_whole()
    {
        var frame = new TcpPeerExchange("node", "client-1", Client).LocalFrame.ToArray();

        foreach (var length in new[] { 0, 3, 7, 8, frame.Length - 1 })
        {
            Assert.Equal(PeerFrame.NeedMore, TcpPeerExchange.TryRead(new ReadOnlySequence<byte>(frame, 0, length), out _, out _));
        }

        // Split across segments, as a pipe hands it over.
        var first = new Segment(frame.AsMemory(0, 5));
        var last = first.Append(frame.AsMemory(5));
        Assert.Equal(PeerFrame.Read, TcpPeerExchange.TryRead(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), out var consumed, out var peer));
        Assert.Equal(frame.Length, consumed);
        Assert.Equal("client", peer!.Workload);
    }

    [Fact]
    public void Bytes_that_do_not_start_with_the_magic_are_the_applications_own()
    {
        Assert.Equal(PeerFrame.Absent, TcpPeerExchange.TryRead(new ReadOnlySequence<byte>("SSH-2.0-OpenSSH\r\n"u8.ToArray()), out var consumed, out var peer));
        Assert.Equal(0, consumed);
        Assert.Null(peer);
        Assert.Equal(PeerFrame.Absent, TcpPeerExchange.TryRead(new ReadOnlySequence<byte>("PING"u8.ToArray()), out _, out _));
    }

    [Fact]
    public void A_frame_too_long_or_not_a_protobuf_is_refused()
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, TcpPeerExchange.Magic);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), TcpPeerExchange.MaxPayload + 1);
        Assert.Equal(PeerFrame.Invalid, TcpPeerExchange.TryRead(new ReadOnlySequence<byte>(header), out _, out _));

        var garbage = new byte[8 + 3];
        BinaryPrimitives.WriteUInt32BigEndian(garbage, TcpPeerExchange.Magic);
        BinaryPrimitives.WriteUInt32BigEndian(garbage.AsSpan(4), 3);
        garbage[8] = 0xFF;
        garbage[9] = 0xFF;
        garbage[10] = 0xFF;
        Assert.Equal(PeerFrame.Invalid, TcpPeerExchange.TryRead(new ReadOnlySequence<byte>(garbage), out _, out _));
    }

    [Fact]
    public void A_frame_whose_Struct_lacks_the_metadata_is_consumed_with_no_peer()
    {
        var payload = new Any { TypeUrl = "type.googleapis.com/google.protobuf.Struct", Value = new Struct { Fields = { ["x-envoy-peer-metadata-id"] = Value.ForString("node") } }.ToByteString() }.ToByteArray();
        var frame = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, TcpPeerExchange.Magic);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(frame, 8);

        Assert.Equal(PeerFrame.Read, TcpPeerExchange.TryRead(new ReadOnlySequence<byte>(frame), out var consumed, out var peer));
        Assert.Equal(frame.Length, consumed);
        Assert.Null(peer);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
