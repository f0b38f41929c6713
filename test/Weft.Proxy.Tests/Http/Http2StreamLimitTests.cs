using Weft.Proxy.Http;
using static Weft.Proxy.Tests.Support.Http2Frames;

namespace Weft.Proxy.Tests.Http;

/// <summary>The server's SETTINGS as an upstream HTTP/2 connection's client reads them under a stream limit.</summary>
public sealed class Http2StreamLimitTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(4096)]
    public async Task The_servers_stream_limit_is_lowered_or_added_and_every_other_byte_passes(int readSize)
    {
        byte[] data = [.. Frame(0x0, 0x0, 1, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])];
        var server = Concat(
            Frame(0x4, 0x0, 0, [.. Setting(0x4, 65535), .. Setting(0x3, 100)]),   // SETTINGS with a limit of 100
            Frame(0x4, 0x1, 0, []),                                              // SETTINGS ACK: untouched
            data,                                                                // DATA that looks like nothing special
            Frame(0x4, 0x0, 0, Setting(0x1, 4096)),                              // SETTINGS without a limit (none)
            Frame(0x4, 0x0, 0, Setting(0x3, 1)));                                // SETTINGS below the limit: kept
        var expected = Concat(
            Frame(0x4, 0x0, 0, [.. Setting(0x4, 65535), .. Setting(0x3, 2)]),
            Frame(0x4, 0x1, 0, []),
            data,
            Frame(0x4, 0x0, 0, [.. Setting(0x1, 4096), .. Setting(0x3, 2)]),
            Frame(0x4, 0x0, 0, Setting(0x3, 1)));

        using var limited = new Http2StreamLimit(new TrickleStream(server, readSize), 2);
        var received = new List<byte>();
        var buffer = new byte[readSize];
        int read;
        while ((read = await limited.ReadAsync(buffer)) > 0)
        {
            received.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        Assert.Equal(expected, received.ToArray());
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>A server whose bytes arrive at most <c>chunk</c> at a time, splitting frames anywhere.</summary>
    private sealed class TrickleStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
