using System.Globalization;
using System.Net;
using Weft.Proxy.Snapshot;

namespace Weft.Proxy.Http;

/// <summary>
/// The addresses the proxy's data-plane listeners are bound to, known once they are: a request whose destination is one
/// of them would come straight back (Envoy's listeners guard against this with black-hole chains for their own ports).
/// The capture listeners are fixed at start; listeners bound for LDS come and go.
/// </summary>
internal sealed class ProxyEndpoints
{
    private volatile IPEndPoint[] _fixed = [];
    private volatile IPEndPoint[] _bound = [];

    public void Set(IEnumerable<IPEndPoint> listeners) => _fixed = listeners.ToArray();

    public void SetBound(IEnumerable<IPEndPoint> listeners) => _bound = listeners.ToArray();

    public bool IsOwnListener(string authority)
    {
        // Most upstreams are on other ports: that answer needs no parsing of the host.
        IPEndPoint[] fixedListeners = _fixed, bound = _bound;
        var at = HostPort.PortStart(authority);
        var port = at == authority.Length ? 80 : int.Parse(authority.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        if (!HasPort(fixedListeners, port) && !HasPort(bound, port))
        {
            return false;
        }

        var (host, _) = HostPort.Split(authority, 80);
        if (!IPAddress.TryParse(host, out var address))
        {
            return false;
        }

        return Any(fixedListeners, address, port) || Any(bound, address, port);
    }

    private static bool Any(IPEndPoint[] listeners, IPAddress address, int port)
    {
        foreach (var listener in listeners)
        {
            if (listener.Port == port
                && (listener.Address.Equals(address) || IPAddress.IsLoopback(address) && (IPAddress.IsLoopback(listener.Address) || listener.Address.Equals(IPAddress.Any) || listener.Address.Equals(IPAddress.IPv6Any))))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasPort(IPEndPoint[] listeners, int port)
    {
        foreach (var listener in listeners)
        {
            if (listener.Port == port)
            {
                return true;
            }
        }

        return false;
    }
}
