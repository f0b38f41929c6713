using System.Net.Security;
using System.Net.Sockets;

namespace Weft.Proxy.Tcp;

/// <summary>
/// The upstream side of a proxied TCP connection: the socket itself, or TLS over it when the cluster originates TLS.
/// Finishing sends a FIN (after TLS's close_notify), so the other direction keeps flowing. Disposing closes it and then
/// runs what was asked to run at close (the pool counters' release), once however often it is disposed.
/// </summary>
internal sealed class UpstreamLink(Socket socket, SslStream? tls) : IDisposable
{
    private Action? _closed;
    private int _disposed;

    public bool IsTls => tls is not null;

    /// <summary>Whether Istio's metadata exchange runs with the upstream on this connection.</summary>
    public bool PeerExchange { get; init; }

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

    /// <summary>Runs <paramref name="closed"/> when the link is disposed, after what was registered before.</summary>
    public void OnDispose(Action closed) => _closed += closed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        tls?.Dispose();
        socket.Dispose();
        _closed?.Invoke();
    }
}
