using System.Net;
using System.Net.Sockets;
using Weft.Proxy.Snapshot.Clusters;

namespace Weft.Proxy.Http;

/// <summary>
/// Opens upstream connections for a cluster: host names resolved in the cluster's address family, each address tried
/// in turn, the socket bound to the cluster's source address when it has one (Istio's 127.0.0.6 for inbound traffic), and
/// no Nagle delay; a unix socket endpoint's name (<see cref="PipeHosts"/>) opens its socket. Under an original_src
/// listener filter the socket is bound to the client's own address instead (<see cref="Listeners.OriginalSource"/>).
/// </summary>
internal static class UpstreamConnector
{
    public static async ValueTask<Stream> ConnectAsync(ConnectionSettings settings, DnsEndPoint target, Listeners.OriginalSource? source, CancellationToken cancel) =>
        new NetworkStream(await ConnectSocketAsync(settings, target, source, cancel).ConfigureAwait(false), ownsSocket: true);

    /// <summary>The connected socket itself, for the TCP proxy (which half-closes it).</summary>
    public static async ValueTask<Socket> ConnectSocketAsync(ConnectionSettings settings, DnsEndPoint target, Listeners.OriginalSource? source, CancellationToken cancel)
    {
        if (PipeHosts.TryGetPath(target.Host, out var path))
        {
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await unix.ConnectAsync(PipeHosts.EndPoint(path), cancel).ConfigureAwait(false);
                return unix;
            }
            catch
            {
                unix.Dispose();
                throw;
            }
        }

        IPAddress[] addresses = IPAddress.TryParse(target.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(target.Host, settings.DnsFamily ?? AddressFamily.Unspecified, cancel).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                if (source is not null && source.Address.AddressFamily == address.AddressFamily)
                {
                    Listeners.TransparentSockets.MakeTransparent(socket);
                    if (source.Mark != 0)
                    {
                        Listeners.TransparentSockets.Mark(socket, source.Mark);
                    }

                    socket.Bind(source.Address);
                }
                else if (settings.SourceAddress is { } bind && bind.AddressFamily == address.AddressFamily)
                {
                    socket.Bind(new IPEndPoint(bind, 0));
                }

                await socket.ConnectAsync(new IPEndPoint(address, target.Port), cancel).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }
}
