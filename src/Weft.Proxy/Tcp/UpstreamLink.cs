using System.Net.Security;
using System.Net.Sockets;

namespace Weft.Proxy.Tcp;

/// <summary>
/// The upstream side of a proxied TCP connection: the socket itself, or TLS over it when the cluster originates TLS.
/// Finishing sends a FIN (after TLS's close_notify), so the other direction keeps flowing.
/// </summary>
internal sealed class UpstreamLink(Socket socket, SslStream? tls) : IDisposable
{
    public bool IsTls => tls is not null;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancel)
    {
        if (tls is not null)
        {
            await tls.WriteAsync(bytes, cancel).ConfigureAwait(false);
            return;
        }

        await socket.SendAsync(bytes, SocketFlags.None, cancel).ConfigureAwait(false);
    }

    /// <summary>Bytes read; 0 at the end. A zero-length buffer waits until bytes are there.</summary>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancel) =>
        tls is not null ? tls.ReadAsync(buffer, cancel) : socket.ReceiveAsync(buffer, SocketFlags.None, cancel);

    public async ValueTask ShutdownSendAsync()
    {
        if (tls is not null)
        {
            await tls.ShutdownAsync().ConfigureAwait(false);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    public void Dispose()
    {
        tls?.Dispose();
        socket.Dispose();
    }
}
