using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Weft.Proxy.Listeners;

/// <summary>
/// Where a connection captured by an iptables REDIRECT (or nftables redirect) was going: Linux keeps it in the
/// connection tracking entry and hands it out through <c>getsockopt(SOL_IP, SO_ORIGINAL_DST)</c> (80) as a
/// <c>sockaddr_in</c>, or <c>getsockopt(SOL_IPV6, IP6T_SO_ORIGINAL_DST)</c> (also 80) as a <c>sockaddr_in6</c>. One
/// system call per connection. A connection that was not redirected has none (the call fails without a tracking entry,
/// or answers with the socket's own local address).
/// </summary>
internal static class OriginalDestination
{
    private const int SoOriginalDst = 80;
    private const ushort AfInet = 2;
    private const ushort AfInet6 = 10;

    /// <summary>The original destination, or null when the connection was not redirected (or this is not Linux).</summary>
    public static IPEndPoint? Read(Socket socket)
    {
        if (!OperatingSystem.IsLinux() || socket.LocalEndPoint is not IPEndPoint local)
        {
            return null;
        }

        var v4 = local.AddressFamily == AddressFamily.InterNetwork || local.Address.IsIPv4MappedToIPv6;
        Span<byte> sockaddr = stackalloc byte[28];
        int length;
        try
        {
            length = socket.GetRawSocketOption(v4 ? TransparentSockets.SolIp : TransparentSockets.SolIpv6, SoOriginalDst, sockaddr);
        }
        catch (SocketException)
        {
            return null;
        }

        var original = Decode(sockaddr[..length]);
        return original is null || Normalize(original).Equals(Normalize(local)) ? null : original;
    }

    private static IPEndPoint Normalize(IPEndPoint endpoint) => new(TransparentSockets.Plain(endpoint.Address), endpoint.Port);

    /// <summary>A <c>sockaddr_in</c> or <c>sockaddr_in6</c>: family in host byte order, port in network byte order.</summary>
    internal static IPEndPoint? Decode(ReadOnlySpan<byte> sockaddr)
    {
        if (sockaddr.Length < 2)
        {
            return null;
        }

        var family = MemoryMarshal.Read<ushort>(sockaddr);
        if (family == AfInet && sockaddr.Length >= 8)
        {
            return new IPEndPoint(new IPAddress(sockaddr.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]));
        }

        if (family == AfInet6 && sockaddr.Length >= 28)
        {
            var scope = MemoryMarshal.Read<uint>(sockaddr[24..]);
            return new IPEndPoint(new IPAddress(sockaddr.Slice(8, 16), scope), BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]));
        }

        return null;
    }
}
