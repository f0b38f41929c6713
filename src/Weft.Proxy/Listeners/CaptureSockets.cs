using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Weft.Proxy.Http;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Listeners;

/// <summary>
/// The sockets of the capture listeners (<c>--outbound-address</c> and <c>--inbound-address</c>), which Kestrel binds at
/// start: kept so that a configuration for Istio's TPROXY interception can make them transparent, as Envoy binds a
/// <c>transparent</c> listener, and so that a connection TPROXY diverted to one (its local address is its original
/// destination, not the socket's) can be told from a connection made to the socket itself.
/// </summary>
internal sealed class CaptureSockets(IReadOnlyDictionary<ListenerRole, IPEndPoint> requested)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ListenerRole, Socket> _sockets = [];

    // The roles whose socket is transparent: only their connections can have been diverted.
    private volatile bool _outboundTransparent;
    private volatile bool _inboundTransparent;

    /// <summary>Kestrel's socket factory (<see cref="SocketTransportOptions.CreateBoundListenSocket"/>): the default socket, remembered when it is a capture listener's.</summary>
    public Socket Create(EndPoint endpoint)
    {
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        foreach (var (role, address) in requested)
        {
            if (role is ListenerRole.Outbound or ListenerRole.Inbound && ReferenceEquals(address, endpoint))
            {
                lock (_gate)
                {
                    _sockets[role] = socket;
                }
            }
        }

        return socket;
    }

    /// <summary>
    /// Makes the capture sockets transparent that the configuration's capture listeners say are; the reasons, by listener
    /// name, for those it cannot (no <c>CAP_NET_ADMIN</c>, not Linux), so the configuration is refused for them.
    /// </summary>
    public IReadOnlyDictionary<string, string> Prepare(IReadOnlyList<ListenerModel> listeners)
    {
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (role, direction, name) in new[]
        {
            (ListenerRole.Outbound, TrafficDirection.Outbound, ResourceNames.VirtualOutboundListener),
            (ListenerRole.Inbound, TrafficDirection.Inbound, ResourceNames.VirtualInboundListener),
        })
        {
            if (ProxySnapshot.CaptureListenerOf(listeners, direction, name) is not { Transparent: true } listener)
            {
                continue;
            }

            Socket? socket;
            lock (_gate)
            {
                _sockets.TryGetValue(role, out socket);
            }

            try
            {
                if (socket is null)
                {
                    throw new InvalidOperationException("its capture socket is not bound");
                }

                if (!TransparentSockets.IsTransparent(socket))
                {
                    TransparentSockets.MakeTransparent(socket);
                }

                if (role == ListenerRole.Outbound)
                {
                    _outboundTransparent = true;
                }
                else
                {
                    _inboundTransparent = true;
                }
            }
            catch (Exception e) when (e is SocketException or PlatformNotSupportedException or InvalidOperationException or ObjectDisposedException)
            {
                refused[listener.Name] = $"cannot make the capture socket {socket?.LocalEndPoint} transparent for TPROXY: {e.Message}";
            }
        }

        return refused;
    }

    /// <summary>
    /// The original destination of a connection TPROXY diverted to a capture socket: its own local address, when that is
    /// not the address the socket listens on; null for a connection made to the socket itself, and without a system
    /// call for the connections of a socket that is not transparent.
    /// </summary>
    public IPEndPoint? Diverted(ListenerRole role, Socket accepted)
    {
        if (!(role == ListenerRole.Outbound ? _outboundTransparent : role == ListenerRole.Inbound && _inboundTransparent))
        {
            return null;
        }

        Socket? socket;
        lock (_gate)
        {
            _sockets.TryGetValue(role, out socket);
        }

        if (socket?.LocalEndPoint is not IPEndPoint listening || TransparentSockets.ActualLocal(accepted) is not { } arrived)
        {
            return null;
        }

        var address = TransparentSockets.Plain(arrived.Address);
        var bound = TransparentSockets.Plain(listening.Address);
        var wildcard = bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any);
        return arrived.Port != listening.Port || (!wildcard && !address.Equals(bound)) ? new IPEndPoint(address, arrived.Port) : null;
    }
}
