using System.Net;
using System.Net.Sockets;

namespace Weft.Cli.Up;

/// <summary>
/// Ports on 127.0.0.1 that nothing listens on, chosen by the OS and held for listeners of a child process that cannot
/// report its own. Each is held, until this is disposed, by a socket bound with SO_REUSEADDR that never listens: the
/// child's listener (which .NET binds with SO_REUSEADDR too) can still take the port, but no other program's port-0
/// bind and no outgoing connection on this machine is given it in the meantime.
/// </summary>
internal sealed class LoopbackPorts : IDisposable
{
    private readonly Socket[] _holders;

    private LoopbackPorts(Socket[] holders)
    {
        _holders = holders;
        Endpoints = holders.Select(h => (IPEndPoint)h.LocalEndPoint!).ToArray();
    }

    public IReadOnlyList<IPEndPoint> Endpoints { get; }

    public IPEndPoint this[int index] => Endpoints[index];

    /// <summary>
    /// <paramref name="count"/> distinct ports. A program that binds without SO_REUSEADDR could still have taken one
    /// before, in which case the child says so and stops.
    /// </summary>
    public static LoopbackPorts Reserve(int count)
    {
        var holders = new List<Socket>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                holders.Add(holder);
                holder.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }

            return new LoopbackPorts([.. holders]);
        }
        catch
        {
            foreach (var holder in holders)
            {
                holder.Dispose();
            }

            throw;
        }
    }

    public void Dispose()
    {
        foreach (var holder in _holders)
        {
            holder.Dispose();
        }
    }
}
