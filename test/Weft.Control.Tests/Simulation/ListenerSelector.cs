using System.Net;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// Which listener a connection reaches. With a capture listener (<c>use_original_dst</c>, Istio's virtualOutbound) every
/// connection the application makes is redirected to it, and Envoy hands it to the listener of the original destination
/// (exact IP first, then the wildcard address), even one that does not bind (<c>bind_to_port: false</c>); with no such
/// listener the capture listener keeps it. Without capture (gateways, <c>INTERCEPTION_MODE=NONE</c>, loopback destinations)
/// only listeners that bind their address can take a connection.
/// </summary>
internal static class ListenerSelector
{
    public static Listener? ForConnection(IReadOnlyList<Listener> listeners, Call call)
    {
        var capture = listeners.FirstOrDefault(l => l.UseOriginalDst == true);
        if (capture is not null && !IsLoopback(call.Address))
        {
            return ByAddress(listeners, call.Address, call.Port) ?? capture;
        }

        return ByAddress(listeners.Where(l => l.BindToPort != false), call.Address, call.Port);
    }

    /// <summary>The listener a proxyless gRPC client asked for: the one named by its dial target, holding an api_listener.</summary>
    public static Listener? ForTarget(IReadOnlyList<Listener> listeners, string target) =>
        listeners.FirstOrDefault(l => l.Name == target && l.ApiListener is not null);

    private static Listener? ByAddress(IEnumerable<Listener> listeners, string ip, int port)
    {
        Listener? wildcard = null;
        foreach (var listener in listeners)
        {
            if (listener.Address?.SocketAddress is not { } socket || socket.PortValue != port)
            {
                continue;
            }

            if (socket.Address == ip)
            {
                return listener;
            }

            if (socket.Address is "0.0.0.0" or "::")
            {
                wildcard ??= listener;
            }
        }

        return wildcard;
    }

    private static bool IsLoopback(string address) => IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip);
}
