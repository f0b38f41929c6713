using System.Net;
using System.Net.Sockets;
using Weft.Proxy.Snapshot.Clusters;

namespace Weft.Proxy.Http;

/// <summary>
/// Opens upstream connections for a cluster: host names resolved in the cluster's address family, each address tried
/// in turn, the socket bound to the cluster's source address when it has one (Istio's 127.0.0.6 for inbound traffic), and
/// no Nagle delay; a unix socket endpoint's name (<see cref="PipeHosts"/>) opens its socket.
/// </summary>
internal static class UpstreamConnector
{
    public static async ValueTask<Stream> ConnectAsync(ConnectionSettings settings, DnsEndPoint target, CancellationToken cancel) =>
        new NetworkStream(await ConnectSocketAsync(settings, target, cancel).ConfigureAwait(false), ownsSocket: true);

    /// <summary>The connected socket itself, for the TCP proxy (which half-closes it).</summary>
    public static async ValueTask<Socket> ConnectSocketAsync(ConnectionSettings settings, DnsEndPoint target, CancellationToken cancel)
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
                if (settings.SourceAddress is { } source && source.AddressFamily == address.AddressFamily)
                {
                    socket.Bind(new IPEndPoint(source, 0));
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
