using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;

namespace Weft.Proxy.Tests.Upstream;

/// <summary>
/// Endpoints that are unix sockets (EDS <c>pipe</c> addresses, Istio's <c>unix://PATH</c>, as a Sidecar ingress
/// <c>defaultEndpoint</c> makes them): HTTP and TCP reach a real server on the socket, a file path or one in the
/// abstract namespace, and a socket nobody listens on is a connect failure.
/// </summary>
public sealed class UnixSocketEndpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("weft-uds-").FullName;

    [Fact]
    public async Task HTTP_reaches_a_server_on_a_unix_socket_and_the_admin_api_and_log_name_the_socket()
    {
        var path = Path.Combine(_directory, "web.sock");
        await using var web = await Backend.StartAsync("web", unixSocket: path);
        var log = Path.Combine(_directory, "access.log");
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            .. XdsResources.VirtualOutbound(),
            XdsResources.HttpListener(8080, "web"),
            XdsResources.Routes("web", ("web.example", "web")),
            XdsResources.EdsCluster("web"), Pipes("web", path),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { AccessLogPath = log });

        using (var response = await proxy.GetAsync("web.example:8080", "/hello"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("web", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal("/hello", Assert.Single(web.Requests).Target);
        Assert.Equal("web.example:8080", web.Requests.Single().Host);
        using var admin = new HttpClient();
        Assert.Contains($"web::{path}::", await admin.GetStringAsync(new Uri(proxy.Admin, "/clusters")), StringComparison.Ordinal);
        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(RawConnection.Wait);
        Assert.Contains($"\"{path}\"", Assert.Single(await File.ReadAllLinesAsync(log)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TCP_reaches_a_server_in_the_abstract_namespace()
    {
        var name = "@weft-test-" + Guid.NewGuid().ToString("N")[..8];
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint("\0" + name[1..]));
        listener.Listen(4);
        var echo = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptAsync();
            var buffer = new byte[64];
            int read;
            while ((read = await accepted.ReceiveAsync(buffer)) > 0)
            {
                await accepted.SendAsync(buffer.AsMemory(0, read));
            }
        });
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            .. XdsResources.VirtualOutbound(),
            XdsResources.TcpListener("240.0.0.1", 3306, XdsResources.ToCluster("db")),
            XdsResources.EdsCluster("db"), Pipes("db", name),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using (var client = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, "240.0.0.1:3306"))
        {
            await client.SendAsync("hello");
            Assert.Equal("hello", await client.ReadAsync(5));
        }

        await echo.WaitAsync(RawConnection.Wait);
    }

    [Fact]
    public async Task A_socket_nobody_listens_on_is_an_upstream_connect_failure()
    {
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            .. XdsResources.VirtualOutbound(),
            XdsResources.HttpListener(8080, "web"),
            XdsResources.Routes("web", ("web.example", "web")),
            XdsResources.EdsCluster("web"), Pipes("web", Path.Combine(_directory, "nobody.sock")),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var response = await proxy.GetAsync("web.example:8080", "/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ClusterLoadAssignment Pipes(string cluster, string path) => new()
    {
        ClusterName = cluster,
        Endpoints =
        {
            new LocalityLbEndpoints
            {
                Locality = new Locality(),
                LbEndpoints = { new LbEndpoint { Endpoint = new Endpoint { Address = new Address { Pipe = new Pipe { Path = path } } }, HealthStatus = HealthStatus.Healthy } },
            },
        },
    };
}
