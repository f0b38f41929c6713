using System.Net;
using System.Net.Sockets;
using Weft.Cli.Up;

namespace Weft.Cli.Tests.Up;

public sealed class LoopbackPortsTests
{
    [Fact]
    public void Reserved_ports_take_a_listener_and_are_not_handed_out_again_while_held()
    {
        // The kernel picks a port-0 bind at random among some 14,000: 500 ports merely closed after the lookup would all
        // but surely repeat one; held, none repeats.
        var reservations = Enumerable.Range(0, 100).Select(_ => LoopbackPorts.Reserve(5)).ToArray();
        try
        {
            var ports = reservations.SelectMany(r => r.Endpoints).Select(e => e.Port).ToArray();
            Assert.Equal(500, ports.Length);
            Assert.Equal(ports.Length, ports.Distinct().Count());
            Assert.All(reservations.SelectMany(r => r.Endpoints), e => Assert.Equal(IPAddress.Loopback, e.Address));

            var listener = new TcpListener(reservations[0][0]);
            listener.Start();
            using var client = new TcpClient();
            client.Connect(reservations[0][0]);
            listener.Stop();
        }
        finally
        {
            foreach (var reservation in reservations)
            {
                reservation.Dispose();
            }
        }
    }
}
