using System.Net;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Http;

/// <summary>
/// The "original destination" of a request in local mode, where no iptables rule redirected it and the socket cannot tell:
/// on the outbound listener it is the authority the client asked for (Host, or the absolute-form URI), port 80 when none
/// is given; on the inbound listener the workload is on this host, so it is 127.0.0.1 and the port of the listener's chain
/// for the authority's port, else the workload's only port.
/// </summary>
internal sealed record LocalDestination(string Host, IPAddress? Address, int Port)
{
    public const int DefaultPort = 80;

    public static LocalDestination Outbound(string authority)
    {
        var (host, port) = HostPort.Split(authority, DefaultPort);
        return new LocalDestination(host, IPAddress.TryParse(host, out var ip) ? ip : null, port);
    }

    public static LocalDestination Inbound(string authority, ListenerModel listener)
    {
        var (_, port) = HostPort.Split(authority, DefaultPort);
        var ports = listener.Chains
            .Select(c => c.Match.DestinationPort)
            .OfType<int>()
            .Where(p => p != listener.Port)
            .Distinct()
            .ToList();
        if (!ports.Contains(port) && ports.Count == 1)
        {
            port = ports[0];
        }

        return new LocalDestination(IPAddress.Loopback.ToString(), IPAddress.Loopback, port);
    }

    public string Authority => HostPort.Join(Host, Port);
}
