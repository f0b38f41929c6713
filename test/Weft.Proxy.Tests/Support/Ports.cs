using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Weft.Proxy.Tests.Support;

/// <summary>Loopback ports for tests: one the proxy will bind, or one that refuses connections.</summary>
internal static class Ports
{
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    private static readonly ConcurrentBag<Socket> Held = [];

    /// <summary>
    /// A port for a listener the test starts next, held for as long as the test process runs by a socket bound with
    /// SO_REUSEADDR that never listens. Any socket that also sets SO_REUSEADDR (.NET's and the proxy's do) can still
    /// listen on it, but no other port-0 bind and no outgoing connection of a parallel test is given it, as a port
    /// merely closed after the lookup can be (the likely cause of a CI run where a gateway listener never bound).
    /// </summary>
    public static int Free()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Held.Add(socket);
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>
    /// A port where connections are refused for as long as the test process runs. It stays bound by a socket that
    /// never listens: a port merely closed after use can be handed to the next listener or outgoing connection in a
    /// parallel test, and then answers where a test expects a refusal.
    /// </summary>
    public static int Refusing()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        // .NET binds with SO_REUSEADDR on Linux, and a socket that has it lets another one listen on its port.
        // Cleared after the bind, the port is this socket's alone.
        socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(0));
        Held.Add(socket);
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
