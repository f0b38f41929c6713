using System.Buffers.Binary;
using System.Net.Sockets;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// A bare HTTP/2 (prior knowledge) server that answers every request <c>200</c> with no body, acknowledges SETTINGS,
/// and never answers a PING: what a peer that stopped responding looks like to HTTP/2 keepalive. It records the
/// connections it accepted, the first PING, and the first connection to end.
/// </summary>
internal sealed class SilentPingH2Server : IAsyncDisposable
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
    private readonly TcpBackend _backend;

    public SilentPingH2Server() => _backend = TcpBackend.Serving("silent-ping-h2", ServeAsync);

    public int Port => _backend.Port;

    public int Connections => _backend.Connections;

    /// <summary>Completes when a connection receives its first PING.</summary>
    public TaskCompletionSource Pinged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the client closes a connection.</summary>
    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                await ReadExactlyAsync(socket, new byte[Preface.Length]);
                await socket.SendAsync(Http2Frames.Frame(0x4, 0x0, 0, []));
                var header = new byte[9];
                while (true)
                {
                    await ReadExactlyAsync(socket, header);
                    var length = (header[0] << 16) | (header[1] << 8) | header[2];
                    var (type, flags) = (header[3], header[4]);
                    var stream = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & int.MaxValue;
                    await ReadExactlyAsync(socket, new byte[length]);
                    switch (type)
                    {
                        case 0x4 when (flags & 0x1) == 0:
                            await socket.SendAsync(Http2Frames.Frame(0x4, 0x1, 0, []));
                            break;
                        case 0x1:
                            // HEADERS: ":status: 200" is entry 8 of HPACK's static table; END_STREAM | END_HEADERS.
                            await socket.SendAsync(Http2Frames.Frame(0x1, 0x5, stream, [0x88]));
                            break;
                        case 0x6 when (flags & 0x1) == 0:
                            Pinged.TrySetResult();
                            break;
                        case 0x7:
                            return;
                    }
                }
            }
            catch (Exception e) when (e is SocketException or EndOfStreamException)
            {
            }
            finally
            {
                Closed.TrySetResult();
            }
        }
    }

    private static async Task ReadExactlyAsync(Socket socket, byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            read += n;
        }
    }

    public ValueTask DisposeAsync() => _backend.DisposeAsync();
}
