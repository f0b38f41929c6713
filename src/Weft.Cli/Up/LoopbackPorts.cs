using System.Net;
using System.Net.Sockets;

namespace Weft.Cli.Up;

/// <summary>Ports on 127.0.0.1 that nothing listens on, chosen by the OS, for listeners of a child process that cannot report its own.</summary>
internal static class LoopbackPorts
{
    /// <summary>
    /// <paramref name="count"/> distinct free ports. They are free when this returns; another program could take one before the
    /// child binds it, in which case the child says so and stops.
    /// </summary>
    public static IReadOnlyList<IPEndPoint> Free(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return listeners.Select(l => (IPEndPoint)l.LocalEndpoint).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
