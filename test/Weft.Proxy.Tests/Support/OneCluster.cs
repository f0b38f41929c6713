using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// The smallest mesh around one cluster: the outbound listener on 8080, a virtual host <c>svc</c> routing everything to
/// cluster <c>c</c> (an EDS cluster the test shapes), and <c>c</c>'s endpoints the given backends.
/// </summary>
internal static class OneCluster
{
    /// <summary>The Host requests are sent with.</summary>
    public const string Authority = "svc:8080";

    public static IEnumerable<IMessage> Resources(Cluster cluster, IEnumerable<Backend> backends, Action<RouteAction>? route = null, HttpFilter? firstFilter = null)
    {
        var action = new RouteAction { Cluster = cluster.Name, Timeout = new Duration() };
        route?.Invoke(action);
        var config = new RouteConfiguration
        {
            Name = "8080",
            IgnorePortInHostMatching = true,
            VirtualHosts = { new VirtualHost { Name = Authority, Domains = { "svc" }, Routes = { new Route { Match = new RouteMatch { Prefix = "/" }, Route_ = action } } } },
        };
        return
        [
            firstFilter is null ? XdsResources.HttpListener(8080) : XdsResources.HttpListener(8080, firstFilter),
            config,
            cluster,
            XdsResources.Assignment(cluster.Name, backends.Select(b => ("127.0.0.1", b.Port)).ToArray()),
        ];
    }

    /// <summary>Cluster <c>c</c> with Envoy's defaults, for the test to shape.</summary>
    public static Cluster Cluster(Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy policy = Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.RoundRobin)
    {
        var cluster = XdsResources.EdsCluster("c");
        cluster.LbPolicy = policy;
        return cluster;
    }

    /// <summary>A repeatable random source for a proxy (each request's draws then follow from the seed).</summary>
    public static Func<ulong> Draws(int seed)
    {
        var random = new Random(seed);
        return () =>
        {
            lock (random)
            {
                return (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
            }
        };
    }

    /// <summary>The admin API's <c>/clusters</c> text.</summary>
    public static async Task<string> ClustersAsync(RunningProxy proxy)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        return await http.GetStringAsync(new Uri(proxy.Admin, "/clusters"));
    }

    /// <summary>Polls until a condition on the proxy holds (bounded), for states a client cannot see any other way.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            try
            {
                await Task.Delay(10, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("waited 10 s for: " + what);
            }
        }
    }
}
