using System.Globalization;
using System.Net;

namespace Weft.Proxy.Hosting;

/// <summary>The <c>HOST:PORT</c> addresses of the command line and <see cref="ProxyOptions"/>; port 0 lets the OS choose.</summary>
public static class ListenAddress
{
    /// <summary>A listen address: an IP (or <c>localhost</c>) and a port; a bad one is a <see cref="FormatException"/> naming the flag.</summary>
    public static IPEndPoint Parse(string value, string flag)
    {
        var (host, port) = Split(value, flag);
        if (host == "localhost")
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            throw new FormatException($"{flag} \"{value}\": \"{host}\" is not an IP address");
        }

        return new IPEndPoint(address, port);
    }

    /// <summary>A remote address: a host name or IP and a port other than 0 (the control plane's).</summary>
    public static string ParseRemote(string value, string flag)
    {
        var (host, port) = Split(value, flag);
        if (port == 0 || host.Length == 0)
        {
            throw new FormatException($"{flag} \"{value}\" needs a host and a port other than 0");
        }

        return IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}"
            : $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";
    }

    private static (string Host, int Port) Split(string value, string flag)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new FormatException($"{flag} \"{value}\" is not HOST:PORT (for example 127.0.0.1:15001)");
        }

        return (value[..colon].Trim('[', ']'), port);
    }
}
