using Weft.Control.Model;
using Weft.Xds;

namespace Weft.Control.Generators.Listeners;

/// <summary>The HTTP chain of an outbound listener: a connection manager reading its routes by RDS.</summary>
internal static class OutboundHttpChains
{
    /// <summary>
    /// The chain of a target. Its routes come by RDS named after the port, shared by every HTTP service on it; a
    /// detected port on a service address has a route configuration of its own (<c>HOST:PORT</c>); a unix socket's is
    /// named after the socket.
    /// </summary>
    public static ChainOptions For(OutboundTarget target, ListenerProtocol protocol, string wildcard, ProxyHeaders headers)
    {
        var routeName = target.Port.Number == 0 ? target.Bind
            : protocol == ListenerProtocol.Auto && target.Bind != wildcard ? ResourceNames.HostPort(target.Service.Hostname, target.Port.Number)
            : ResourceNames.OutboundRouteConfig(target.Port.Number);
        return new ChainOptions { Http = ConnectionManagers.Outbound(string.Empty, routeName, headers) };
    }

    /// <summary>
    /// The chain matched only for plaintext HTTP (by the ALPN http_inspector reports), so that other traffic on the
    /// port can take a TCP chain or pass through.
    /// </summary>
    public static ChainOptions Detecting(ChainOptions chain) =>
        chain with { ApplicationProtocols = ChainOptions.PlaintextHttpAlpn, TransportProtocol = ChainOptions.RawBuffer };
}
