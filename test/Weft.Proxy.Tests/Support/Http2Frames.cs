using System.Buffers.Binary;

namespace Weft.Proxy.Tests.Support;

/// <summary>HTTP/2 frames as they go on the wire, for tests that speak the protocol byte by byte.</summary>
internal static class Http2Frames
{
    /// <summary>A frame: 24-bit length, type, flags, stream id, payload.</summary>
    public static byte[] Frame(byte type, byte flags, int stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        return frame;
    }

    /// <summary>One SETTINGS parameter: 16-bit identifier, 32-bit value.</summary>
    public static byte[] Setting(ushort id, uint value)
    {
        var setting = new byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(setting, id);
        BinaryPrimitives.WriteUInt32BigEndian(setting.AsSpan(2), value);
        return setting;
    }
}
