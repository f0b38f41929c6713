using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Weft.Proxy.Tcp;

/// <summary>
/// Writes to the client of a proxied TCP connection. Kestrel's transport can only close both directions at once, so
/// when the accepted socket is at hand the TCP path writes to it directly and can half-close it (FIN towards the
/// client while the client's bytes keep coming in through Kestrel's input pipe). Nothing else writes to the connection
/// meanwhile: its output pipe stays empty until the proxy completes it.
/// </summary>
internal sealed class DownstreamWriter(ConnectionContext connection)
{
    private readonly Socket? _socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
    private readonly PipeWriter _output = connection.Transport.Output;
    private readonly Tls.DownstreamTlsFeature? _tls = connection.Features.Get<Tls.DownstreamTlsFeature>();

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancel)
    {
        if (_socket is not null)
        {
            await _socket.SendAsync(bytes, SocketFlags.None, cancel).ConfigureAwait(false);
            return;
        }

        await _output.WriteAsync(bytes, cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// No more bytes towards the client: a FIN, or on a TLS connection the proxy terminated its close_notify (without
    /// either, the whole connection closes).
    /// </summary>
    public async ValueTask ShutdownSendAsync()
    {
        if (_tls?.ShutdownSend is { } shutdown)
        {
            try
            {
                await _output.FlushAsync().ConfigureAwait(false);
                await shutdown().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
            }

            return;
        }

        if (_socket is not null)
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }

            return;
        }

        await _output.CompleteAsync().ConfigureAwait(false);
    }
}
