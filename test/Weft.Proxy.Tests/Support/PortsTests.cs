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

    [Fact]
    public void A_free_port_takes_a_listener_and_is_never_handed_out_again()
    {
        // The kernel picks a port-0 bind at random among some 14,000, so 500 lookups of ports merely closed after the
        // lookup would all but surely repeat one; held, none repeats.
        var ports = Enumerable.Range(0, 500).Select(_ => Ports.Free()).ToArray();
        Assert.Equal(ports.Length, ports.Distinct().Count());

        var listener = new TcpListener(IPAddress.Loopback, ports[0]);
        listener.Start();
        listener.Stop();
    }
}
