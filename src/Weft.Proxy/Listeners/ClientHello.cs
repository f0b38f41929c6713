using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Weft.Proxy.Listeners;

/// <summary>
/// Reads a TLS ClientHello the way Envoy's tls_inspector uses it: whether the connection opens with one, and the server
/// name (SNI) and application protocols (ALPN) it asks for. The handshake message may span several TLS records; it is
/// read whole before anything is decided, up to <see cref="MaxLength"/> bytes.
/// </summary>
internal static class ClientHello
{
    /// <summary>The largest ClientHello considered (Envoy's inspector gives up beyond 64 KiB).</summary>
    public const int MaxLength = 64 * 1024;

    private const byte HandshakeRecord = 22;
    private const byte ClientHelloMessage = 1;
    private const int RecordHeader = 5;
    private const int MaxRecord = (1 << 14) + 2048;
    private const ushort ServerNameExtension = 0;
    private const ushort AlpnExtension = 16;

    public enum Outcome
    {
        /// <summary>The bytes so far could be the start of a ClientHello.</summary>
        NeedMore,

        /// <summary>The connection does not open with a TLS ClientHello.</summary>
        NotTls,

        Tls,
    }

    public static Outcome Parse(ReadOnlySpan<byte> data, out string? serverName, out IReadOnlyList<string> protocols)
    {
        serverName = null;
        protocols = [];
        if (data.Length == 0)
        {
            return Outcome.NeedMore;
        }

        if (data[0] != HandshakeRecord || (data.Length > 1 && data[1] != 3))
        {
            return Outcome.NotTls;
        }

        // Gather the handshake message from consecutive handshake records.
        var message = new ArrayBufferWriter<byte>(512);
        var offset = 0;
        var needed = -1;
        while (needed < 0 || message.WrittenCount < needed)
        {
            if (data.Length - offset < RecordHeader)
            {
                return data.Length - offset >= 1 && data[offset] != HandshakeRecord ? Outcome.NotTls : Outcome.NeedMore;
            }

            var header = data.Slice(offset, RecordHeader);
            var length = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
            if (header[0] != HandshakeRecord || header[1] != 3 || length == 0 || length > MaxRecord)
            {
                return Outcome.NotTls;
            }

            if (data.Length - offset - RecordHeader < length)
            {
                return Outcome.NeedMore;
            }

            message.Write(data.Slice(offset + RecordHeader, length));
            offset += RecordHeader + length;
            if (needed < 0 && message.WrittenCount >= 4)
            {
                var span = message.WrittenSpan;
                if (span[0] != ClientHelloMessage)
                {
                    return Outcome.NotTls;
                }

                needed = 4 + ((span[1] << 16) | (span[2] << 8) | span[3]);
                if (needed > MaxLength)
                {
                    return Outcome.NotTls;
                }
            }
        }

        return Body(message.WrittenSpan[4..needed], out serverName, out protocols) ? Outcome.Tls : Outcome.NotTls;
    }

    /// <summary>The ClientHello body: version, random, session id, cipher suites, compression methods, extensions.</summary>
    private static bool Body(ReadOnlySpan<byte> body, out string? serverName, out IReadOnlyList<string> protocols)
    {
        serverName = null;
        protocols = [];
        var reader = new Reader(body);
        if (!reader.Skip(2 + 32) || !reader.Vector8(out var sessionId) || sessionId.Length > 32
            || !reader.Vector16(out var suites) || suites.Length < 2 || suites.Length % 2 != 0
            || !reader.Vector8(out var compression) || compression.Length < 1)
        {
            return false;
        }

        if (reader.Remaining == 0)
        {
            return true; // No extensions at all (old clients).
        }

        if (!reader.Vector16(out var extensions) || reader.Remaining != 0)
        {
            return false;
        }

        var list = new Reader(extensions);
        while (list.Remaining > 0)
        {
            if (!list.UInt16(out var type) || !list.Vector16(out var value))
            {
                return false;
            }

            if (type == ServerNameExtension && !ServerName(value, out serverName))
            {
                return false;
            }

            if (type == AlpnExtension && !Alpn(value, out protocols))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ServerName(ReadOnlySpan<byte> value, out string? name)
    {
        name = null;
        var reader = new Reader(value);
        if (!reader.Vector16(out var names) || reader.Remaining != 0)
        {
            return false;
        }

        var entries = new Reader(names);
        while (entries.Remaining > 0)
        {
            if (!entries.Byte(out var kind) || !entries.Vector16(out var host))
            {
                return false;
            }

            if (kind == 0 && name is null)
            {
                name = Encoding.ASCII.GetString(host);
            }
        }

        return true;
    }

    private static bool Alpn(ReadOnlySpan<byte> value, out IReadOnlyList<string> protocols)
    {
        protocols = [];
        var reader = new Reader(value);
        if (!reader.Vector16(out var list) || reader.Remaining != 0)
        {
            return false;
        }

        var found = new List<string>();
        var entries = new Reader(list);
        while (entries.Remaining > 0)
        {
            if (!entries.Vector8(out var protocol) || protocol.Length == 0)
            {
                return false;
            }

            found.Add(Encoding.ASCII.GetString(protocol));
        }

        protocols = found;
        return true;
    }

    /// <summary>Big-endian fields and length-prefixed vectors over a span; every read says whether the bytes were there.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public readonly int Remaining => _rest.Length;

        public bool Skip(int count)
        {
            if (_rest.Length < count)
            {
                return false;
            }

            _rest = _rest[count..];
            return true;
        }

        public bool Byte(out byte value)
        {
            value = _rest.Length > 0 ? _rest[0] : (byte)0;
            return Skip(1);
        }

        public bool UInt16(out ushort value)
        {
            value = _rest.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(_rest) : (ushort)0;
            return Skip(2);
        }

        public bool Vector8(out ReadOnlySpan<byte> value)
        {
            value = default;
            return Byte(out var length) && Take(length, out value);
        }

        public bool Vector16(out ReadOnlySpan<byte> value)
        {
            value = default;
            return UInt16(out var length) && Take(length, out value);
        }

        private bool Take(int length, out ReadOnlySpan<byte> value)
        {
            value = _rest.Length >= length ? _rest[..length] : default;
            return Skip(length);
        }
    }
}
