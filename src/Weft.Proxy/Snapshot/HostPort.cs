using System.Globalization;
using System.Net;

namespace Weft.Proxy.Snapshot;

/// <summary>Host header helpers: <c>host</c>, <c>host:port</c>, <c>[v6]</c> and <c>[v6]:port</c>.</summary>
internal static class HostPort
{
    /// <summary>The host without a numeric port (Envoy's stripPortFromHost); IPv6 keeps its brackets.</summary>
    public static string StripPort(string host)
    {
        var at = PortStart(host);
        return at == host.Length ? host : host[..at];
    }

    /// <summary>Where the <c>:port</c> of a host begins (the colon), or the host's length when it has no numeric port.</summary>
    public static int PortStart(string host)
    {
        var colon = host.LastIndexOf(':');
        if (colon < 0 || (host.StartsWith('[') && host.LastIndexOf(']') > colon))
        {
            return host.Length;
        }

        if (!host.StartsWith('[') && host.IndexOf(':', StringComparison.Ordinal) != colon)
        {
            return host.Length; // An unbracketed IPv6 address has no port.
        }

        var port = host.AsSpan(colon + 1);
        return port.Length > 0 && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? colon : host.Length;
    }

    /// <summary>Splits an authority into host (without brackets) and port; the port is <paramref name="defaultPort"/> when absent.</summary>
    public static (string Host, int Port) Split(string authority, int defaultPort)
    {
        var stripped = StripPort(authority);
        var port = defaultPort;
        if (stripped.Length < authority.Length)
        {
            port = int.Parse(authority.AsSpan(stripped.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        }

        var host = stripped.StartsWith('[') && stripped.EndsWith(']') ? stripped[1..^1] : stripped;
        return (host, port);
    }

    /// <summary><c>host:port</c> with IPv6 addresses in brackets.</summary>
    public static string Join(string host, int port) =>
        (IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host)
        + ":" + port.ToString(CultureInfo.InvariantCulture);
}
