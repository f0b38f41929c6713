using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Weft.Proxy.Listeners;

/// <summary>
/// Linux's socket options for transparent proxying, as Envoy sets them: <c>IP_TRANSPARENT</c> (<c>IPV6_TRANSPARENT</c>)
/// lets a listening socket take connections TPROXY diverted to other addresses and an upstream socket bind an address
/// that is not the host's; <c>SO_MARK</c> tags an upstream socket's packets so routing rules send the replies back to
/// the proxy. Both need <c>CAP_NET_ADMIN</c>; a refusal is a <see cref="SocketException"/> naming the missing privilege.
/// </summary>
internal static class TransparentSockets
{
    internal const int SolIp = 0;
    private const int IpTransparent = 19;
    internal const int SolIpv6 = 41;
    private const int Ipv6Transparent = 75;
    private const int SolSocket = 1;
    private const int SoMark = 36;

    public static void MakeTransparent(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("transparent sockets (IP_TRANSPARENT) are Linux's");
        }

        var v6 = socket.AddressFamily == AddressFamily.InterNetworkV6;
        Set(socket, v6 ? SolIpv6 : SolIp, v6 ? Ipv6Transparent : IpTransparent, 1, "IP_TRANSPARENT");
    }

    public static void Mark(Socket socket, uint mark)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("socket marks (SO_MARK) are Linux's");
        }

        Set(socket, SolSocket, SoMark, unchecked((int)mark), "SO_MARK");
    }

    /// <summary>Whether the socket takes diverted connections (its <c>IP_TRANSPARENT</c> is set).</summary>
    public static bool IsTransparent(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var v6 = socket.AddressFamily == AddressFamily.InterNetworkV6;
        Span<byte> value = stackalloc byte[4];
        return socket.GetRawSocketOption(v6 ? SolIpv6 : SolIp, v6 ? Ipv6Transparent : IpTransparent, value) == 4 && BitConverter.ToInt32(value) != 0;
    }

    private static void Set(Socket socket, int level, int name, int value, string option)
    {
        try
        {
            socket.SetRawSocketOption(level, name, BitConverter.GetBytes(value));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AccessDenied || e.NativeErrorCode == 1)
        {
            throw new SocketException(e.ErrorCode, $"{option} needs CAP_NET_ADMIN: {e.Message}");
        }
    }

    /// <summary>
    /// The address a connected socket really has, asked of the kernel: .NET gives an accepted socket its listening
    /// socket's address without asking, which a TPROXY-diverted connection does not share. Null when it cannot be read.
    /// </summary>
    public static IPEndPoint? ActualLocal(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return socket.LocalEndPoint as IPEndPoint;
        }

        Span<byte> sockaddr = stackalloc byte[28];
        var length = sockaddr.Length;
        return GetSockName(socket.Handle, ref MemoryMarshal.GetReference(sockaddr), ref length) == 0
            ? OriginalDestination.Decode(sockaddr[..Math.Min(length, sockaddr.Length)])
            : null;
    }

    [DllImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GetSockName(nint socket, ref byte address, ref int length);

    /// <summary>An IPv4 address as itself rather than mapped into IPv6 (as a dual-mode socket reports it).</summary>
    public static IPAddress Plain(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
