using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Weft.Control.Tests.Interop;

/// <summary>
/// Accepts one HTTP/2 connection on loopback and returns the first gRPC message the peer sends: for
/// a gRPC xDS client, the first DiscoveryRequest of its ADS stream, which shows what the bootstrap
/// told the client. It answers nothing but HTTP/2 SETTINGS (node's HTTP/2 client sends no request
/// before the server's SETTINGS arrive), so it checks the harness, not a control plane.
/// </summary>
internal sealed class FirstGrpcMessageCapture : IDisposable
{
    private const byte Data = 0x0;
    private const byte Settings = 0x4;
    private const byte Ack = 0x1;
    private const byte Padded = 0x8;
    private static readonly byte[] Preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);

    public FirstGrpcMessageCapture() => listener.Start();

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>The first gRPC message's bytes (without its 5-byte prefix) on the first stream that sends data.</summary>
    public async Task<byte[]> ReadFirstMessageAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            using var client = await listener.AcceptTcpClientAsync(cts.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Frame(Settings, 0), cts.Token);

            var preface = new byte[Preface.Length];
            await stream.ReadExactlyAsync(preface, cts.Token);
            Assert.Equal(Preface, preface);

            var message = new MemoryStream();
            uint? dataStream = null;
            var header = new byte[9];
            while (true)
            {
                await stream.ReadExactlyAsync(header, cts.Token);
                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var (type, flags) = (header[3], header[4]);
                var streamId = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5)) & 0x7FFF_FFFF;
                var payload = new byte[length];
                await stream.ReadExactlyAsync(payload, cts.Token);

                if (type == Settings && (flags & Ack) == 0)
                {
                    await stream.WriteAsync(Frame(Settings, Ack), cts.Token);
                }
                else if (type == Data && (dataStream ?? streamId) == streamId)
                {
                    dataStream = streamId;
                    var padding = (flags & Padded) != 0 ? payload[0] + 1 : 0;
                    var start = (flags & Padded) != 0 ? 1 : 0;
                    message.Write(payload, start, length - padding);
                    if (TryTakeMessage(message.ToArray()) is { } first)
                    {
                        return first;
                    }
                }
            }
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"no gRPC message arrived on 127.0.0.1:{Port} within {timeout.TotalSeconds} s", e);
        }
    }

    public void Dispose() => listener.Dispose();

    private static byte[] Frame(byte type, byte flags) => [0, 0, 0, type, flags, 0, 0, 0, 0];

    // A gRPC message: 1 byte compressed flag (0 here), 4 bytes big-endian length, then the protobuf.
    private static byte[]? TryTakeMessage(byte[] buffered)
    {
        if (buffered.Length < 5)
        {
            return null;
        }

        Assert.Equal(0, buffered[0]);
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(buffered.AsSpan(1));
        return buffered.Length >= 5 + length ? buffered[5..(5 + length)] : null;
    }
}
