using System.Net;
using System.Net.Sockets;
using Weft.Control.Model;
using Weft.Xds;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// The addresses Istio picks for a proxy's listeners from the proxy's own IPs: the wildcard and loopback of its IP
/// family (IPv6 only when it has no IPv4 address), and the address inbound listeners of a Sidecar ingress bind by
/// default (its first global unicast IP, else the wildcard).
/// </summary>
internal sealed record ProxyAddresses(string Wildcard, string Localhost, string InboundBind)
{
    public const string Ipv4Localhost = "127.0.0.1";
    public const string Ipv6Wildcard = "::";
    public const string Ipv6Localhost = "::1";

    public static ProxyAddresses For(ProxyNode proxy)
    {
        var ips = proxy.IpAddresses.Select(a => IPAddress.TryParse(a, out var ip) ? ip : null).OfType<IPAddress>().ToArray();
        var ipv6Only = ips.Length > 0 && ips.All(ip => ip.AddressFamily == AddressFamily.InterNetworkV6);
        var wildcard = ipv6Only ? Ipv6Wildcard : ResourceNames.WildcardAddress;
        var localhost = ipv6Only ? Ipv6Localhost : Ipv4Localhost;
        var unicast = ips.FirstOrDefault(IsGlobalUnicast);
        return new ProxyAddresses(wildcard, localhost, unicast?.ToString() ?? wildcard);
    }

    /// <summary>Whether the proxy has no iptables capture (metadata <c>INTERCEPTION_MODE: NONE</c>): listeners bind for real.</summary>
    public static bool NoInterception(ProxyNode proxy) => proxy.InterceptionMode == "NONE";

    public static bool IsIp(string address) => IPAddress.TryParse(address, out _);

    /// <summary>
    /// Go's <c>net.IP.IsGlobalUnicast</c>: not unspecified, broadcast, loopback, link-local or multicast (private ranges
    /// count as global).
    /// </summary>
    private static bool IsGlobalUnicast(IPAddress ip)
    {
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.Equals(IPAddress.Broadcast) || IPAddress.IsLoopback(ip))
        {
            return false;
        }

        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return !ip.IsIPv6LinkLocal && !ip.IsIPv6Multicast;
        }

        var bytes = ip.GetAddressBytes();
        return bytes[0] is < 224 or > 239 && !(bytes[0] == 169 && bytes[1] == 254);
    }
}
