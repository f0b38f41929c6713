using System.Net;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Snapshot.Routes;
using Weft.Proxy.Tests.Support;

namespace Weft.Proxy.Tests.Snapshot;

/// <summary>
/// The control plane's canary output for a client sidecar, compiled into a snapshot: requests described as a user would
/// send them land where Istio says they should.
/// </summary>
public sealed class CanarySnapshotTests
{
    private const string Host = "product-catalog.default.svc.cluster.local:8080";
    private static readonly ProxySnapshot Snapshot = Snapshots.Build(Golden.Load("canary.sidecar"));

    [Fact]
    public void The_port_picks_the_outbound_listener_and_its_http_chain_names_the_port_routes()
    {
        var listener = Snapshot.ListenerFor(null, 8080);
        Assert.Equal("0.0.0.0_8080", listener?.Name);
        var chain = listener!.SelectChain(new ConnectionFacts(null, 8080, IPAddress.Loopback, 50000, "raw_buffer", ["http/1.1"]));
        var manager = Assert.IsType<HttpChain>(chain!.Action).Manager;
        Assert.Equal("8080", manager.RouteConfigName);
        Assert.True(manager.NormalizePath);
        Assert.Equal("8080", Snapshot.RoutesFor(manager)?.Name);
        Assert.Null(Snapshot.ListenerFor(null, 9090));
    }

    [Theory]
    [InlineData(Host, "product-catalog.default.svc.cluster.local:8080")]
    [InlineData("product-catalog.default.svc.cluster.local", "product-catalog.default.svc.cluster.local:8080")]
    [InlineData("product-catalog:8080", "product-catalog.default.svc.cluster.local:8080")]
    [InlineData("product-catalog.default", "product-catalog.default.svc.cluster.local:8080")]
    [InlineData("example.com", "allow_any")]
    public void Hosts_reach_their_virtual_host(string host, string expected) =>
        Assert.Equal(expected, Snapshot.Routes["8080"].FindVirtualHost(host)?.Name);

    [Fact]
    public void Testers_always_reach_v2_and_everyone_else_is_split_90_10()
    {
        var vhost = Snapshot.Routes["8080"].FindVirtualHost(Host)!;
        Assert.True(vhost.IncludeRequestAttemptCount);

        var tester = vhost.FindRoute(RouteRequest.For("/products", Host, headers: [("x-canary", "always")]), 0)!;
        Assert.Equal("testers-see-v2", tester.Name);
        Assert.Equal("outbound|8080|v2|product-catalog.default.svc.cluster.local", Assert.IsType<SingleCluster>(((ForwardAction)tester.Behavior).Clusters).Name);
        Assert.Equal(TimeSpan.Zero, ((ForwardAction)tester.Behavior).Timeout);

        var request = RouteRequest.For("/products", Host);
        var split = vhost.FindRoute(request, 0)!;
        Assert.Equal("canary-split", split.Name);
        var choice = ((ForwardAction)split.Behavior).Clusters;
        var v2 = Enumerable.Range(0, 1000).Count(r => choice.Pick(request, (ulong)r).Cluster!.Contains("|v2|", StringComparison.Ordinal));
        Assert.Equal(100, v2);
    }

    [Fact]
    public void Subset_clusters_have_their_workloads_endpoints()
    {
        var v1 = Snapshot.Clusters["outbound|8080|v1|product-catalog.default.svc.cluster.local"];
        Assert.Equal("127.0.0.1:18081", Assert.Single(v1.Assignment.Hosts).Authority);
        var all = Snapshot.Clusters["outbound|8080||product-catalog.default.svc.cluster.local"];
        Assert.Equal(2, all.Assignment.Hosts.Count());
        Assert.Equal(["127.0.0.1:18081", "127.0.0.1:18082"], Enumerable.Range(0, 2).Select(i => all.Balancer.Pick((ulong)i)!.Authority).Order());
    }

    [Fact]
    public void Every_resource_the_control_plane_sends_for_the_canary_compiles()
    {
        Assert.Equal(["0.0.0.0_8080", "virtualInbound", "virtualOutbound"], Snapshot.Listeners.Select(l => l.Name));
        var workload = Snapshots.Build(Golden.Load("canary.workload-entry-v1"));
        Assert.Contains("inbound|18081||", workload.Clusters.Keys);
    }
}
