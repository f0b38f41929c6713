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
        var (host, port) = HostPort.Split(authority, 80);
        if (!IPAddress.TryParse(host, out var address))
        {
            return false;
        }

        return Any(_fixed, address, port) || Any(_bound, address, port);
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
}
