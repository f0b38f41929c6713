using System.Net;
using System.Net.Sockets;
using Weft.Proxy.Xds;

namespace Weft.Proxy.Snapshot.Listeners;

/// <summary>An address prefix (<c>10.0.0.0/8</c>) from a filter chain match.</summary>
internal sealed record CidrRange(IPAddress Prefix, int Length)
{
    public static CidrRange Compile(Weft.Xds.Envoy.Config.Core.V3.CidrRange range)
    {
        if (!IPAddress.TryParse(range.AddressPrefix, out var ip))
        {
            throw new XdsRejectedException($"\"{range.AddressPrefix}\" is not an IP address prefix");
        }

        var max = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var length = (int)(range.PrefixLen ?? 0);
        if (length > max)
        {
            throw new XdsRejectedException($"prefix length {length} is too long for {range.AddressPrefix}");
        }

        return new CidrRange(ip, length);
    }

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == Prefix.AddressFamily && new IPNetwork(Mask(Prefix, Length), Length).Contains(address);
    }

    private static IPAddress Mask(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = length; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes);
    }
}
