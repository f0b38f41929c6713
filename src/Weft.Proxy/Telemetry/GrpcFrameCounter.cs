namespace Weft.Proxy.Telemetry;

/// <summary>
/// Counts the gRPC messages in one direction of a gRPC request's body as its bytes pass, without keeping any: each
/// message is a 5-byte prefix (a flag byte and a big-endian length) and that many bytes, and it counts when its first
/// byte is seen, as Envoy's grpc_stats filter counts frames. Fed by one reader or writer at a time; read at any time.
/// </summary>
internal sealed class GrpcFrameCounter
{
    private const int PrefixLength = 5;
    private long _messages;
    private int _prefixSeen;
    private uint _length;
    private long _payloadLeft;

    /// <summary>Messages begun so far.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    public void Inspect(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            if (_payloadLeft > 0)
            {
                var skip = (int)Math.Min(_payloadLeft, bytes.Length - i);
                _payloadLeft -= skip;
                i += skip;
                continue;
            }

            if (_prefixSeen == 0)
            {
                Interlocked.Increment(ref _messages);
                _length = 0;
            }
            else
            {
                _length = (_length << 8) | bytes[i];
            }

            i++;
            if (++_prefixSeen == PrefixLength)
            {
                _prefixSeen = 0;
                _payloadLeft = _length;
            }
        }
    }
}
