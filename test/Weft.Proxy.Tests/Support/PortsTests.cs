using System.Net;
using System.Net.Sockets;

namespace Weft.Proxy.Tests.Support;

public sealed class PortsTests
{
    [Fact]
    public async Task A_refusing_port_refuses_connections_and_no_listener_can_take_the_port()
    {
        var port = Ports.Refusing();

        using var client = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        var listener = new TcpListener(IPAddress.Loopback, port);
        var taken = Assert.Throws<SocketException>(listener.Start);
        Assert.Equal(SocketError.AddressAlreadyInUse, taken.SocketErrorCode);
    }
}
