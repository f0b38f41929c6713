using System.Net.Http.Json;
using System.Text.Json;
using Weft.Control.Tests.Support;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Tests.Xds;

/// <summary>
/// The state-of-the-world ADS rules over a real gRPC stream: first responses, ACKs answered with silence, NACKs recorded
/// and not re-sent, stale nonces ignored, and a file edit pushed as only what changed. "Nothing was sent" is observed by
/// asking for another type and seeing its answer come first, since a stream answers in order.
/// </summary>
public sealed class SotwProtocolTests
{
    private static string Cluster(string subset = "") => ResourceNames.OutboundCluster(8080, Canary.Host, subset);

    [Fact]
    public async Task Wildcard_cluster_request_gets_every_cluster_and_an_ack_gets_no_reply()
    {
        await using var control = await RunningControlPlane.StartAsync(Canary.Files());
        await using var client = new AdsClient(control.XdsAddress, AdsClient.SidecarNode());

        await client.SendAsync(TypeUrls.Cluster);
        var cds = await client.ReceiveAsync();
        var names = cds.Resources.Select(a => a.Unpack<Cluster>().Name).ToList();
        Assert.Contains(Cluster(), names);
        Assert.Contains(Cluster("v1"), names);
        Assert.Contains(Cluster("v2"), names);
        Assert.Contains(ResourceNames.PassthroughCluster, names);
        Assert.NotEmpty(cds.Nonce);

        await client.SendAsync(TypeUrls.Cluster, ack: cds);
        await client.SendAsync(TypeUrls.ClusterLoadAssignment, [Cluster("v1")]);
        var next = await client.ReceiveAsync();
        Assert.Equal(TypeUrls.ClusterLoadAssignment, next.TypeUrl);
        var assignment = Assert.Single(next.Resources).Unpack<ClusterLoadAssignment>();
        var endpoint = Assert.Single(assignment.Endpoints.SelectMany(l => l.LbEndpoints));
        Assert.Equal(18081u, endpoint.Endpoint.Address.SocketAddress.PortValue);
    }

    [Fact]
    public async Task A_nack_is_recorded_in_syncz_and_the_rejected_version_is_not_sent_again()
    {
        await using var control = await RunningControlPlane.StartAsync(Canary.Files());
        await using var client = new AdsClient(control.XdsAddress, AdsClient.SidecarNode(name: "nacker"));
        await client.SendAsync(TypeUrls.Cluster);
        var cds = await client.ReceiveAsync();

        await client.SendAsync(TypeUrls.Cluster, ack: cds, error: "cluster outbound|8080||x: bad config");
        await client.SendAsync(TypeUrls.ClusterLoadAssignment, [Cluster()]);
        Assert.Equal(TypeUrls.ClusterLoadAssignment, (await client.ReceiveAsync()).TypeUrl);

        using var http = new HttpClient { BaseAddress = control.HttpBase };
        using var syncz = JsonDocument.Parse(await http.GetStringAsync("/debug/syncz"));
        var proxy = syncz.RootElement.EnumerateArray().Single(p => p.GetProperty("proxyId").GetString()!.Contains("nacker", StringComparison.Ordinal));
        var cdsStatus = proxy.GetProperty("types").EnumerateArray().Single(t => t.GetProperty("type").GetString() == "CDS");
        var rejection = cdsStatus.GetProperty("lastRejection");
        Assert.Equal(cds.Nonce, rejection.GetProperty("nonce").GetString());
        Assert.Contains("bad config", rejection.GetProperty("message").GetString(), StringComparison.Ordinal);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("pilot_total_xds_rejects{type=\"cds\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_with_a_stale_nonce_is_ignored()
    {
        await using var control = await RunningControlPlane.StartAsync(Canary.Files());
        await using var client = new AdsClient(control.XdsAddress, AdsClient.SidecarNode());
        await client.SendAsync(TypeUrls.ClusterLoadAssignment, [Cluster("v1")]);
        var first = await client.ReceiveAsync();
        await client.SendAsync(TypeUrls.ClusterLoadAssignment, [Cluster("v1"), Cluster("v2")], ack: first);
        var second = await client.ReceiveAsync();
        Assert.Equal(2, second.Resources.Count);

        // Answering the first response again, now that a newer one was sent, must change nothing.
        await client.SendWithNonceAsync(TypeUrls.ClusterLoadAssignment, first.Nonce, [Cluster("v1"), Cluster("v2"), Cluster()]);
        await client.SendAsync(TypeUrls.Cluster);
        Assert.Equal(TypeUrls.Cluster, (await client.ReceiveAsync()).TypeUrl);
    }

    [Fact]
    public async Task Editing_weights_pushes_only_the_route_configuration()
    {
        await using var control = await RunningControlPlane.StartAsync(Canary.Files(90, 10));
        await using var client = new AdsClient(control.XdsAddress, AdsClient.SidecarNode());
        await client.SendAsync(TypeUrls.Cluster);
        await client.SendAsync(TypeUrls.Cluster, ack: await client.ReceiveAsync());
        await client.SendAsync(TypeUrls.RouteConfiguration, ["8080"]);
        var rds = await client.ReceiveAsync();
        await client.SendAsync(TypeUrls.RouteConfiguration, ["8080"], ack: rds);
        Assert.Equal(new uint[] { 90, 10 }, Weights(rds));

        await control.ChangeAsync(d => d.Write("virtual-service.yaml", Canary.Split(0, 100)));
        var pushed = await client.ReceiveAsync();
        Assert.Equal(TypeUrls.RouteConfiguration, pushed.TypeUrl);
        Assert.Equal(new uint[] { 100 }, Weights(pushed));
        Assert.NotEqual(rds.VersionInfo, pushed.VersionInfo);

        await client.SendAsync(TypeUrls.RouteConfiguration, ["8080"], ack: pushed);
        await client.SendAsync(TypeUrls.ClusterLoadAssignment, [Cluster()]);
        Assert.Equal(TypeUrls.ClusterLoadAssignment, (await client.ReceiveAsync()).TypeUrl);
    }

    [Fact]
    public async Task An_invalid_edit_is_rejected_with_file_line_and_field_and_nothing_is_pushed()
    {
        await using var control = await RunningControlPlane.StartAsync(Canary.Files(90, 10));
        await using var client = new AdsClient(control.XdsAddress, AdsClient.SidecarNode());
        await client.SendAsync(TypeUrls.RouteConfiguration, ["8080"]);
        var rds = await client.ReceiveAsync();
        await client.SendAsync(TypeUrls.RouteConfiguration, ["8080"], ack: rds);

        var generation = control.Plane.Store.Current.Generation;
        var store = control.Plane.Store;
        control.Directory.Write("virtual-service.yaml", Canary.Split(90, 10).Replace("weight: 10", "weight: -10", StringComparison.Ordinal));
        control.Plane.Controller.Reload();
        Assert.Equal(generation + 1, store.Current.Generation);

        using var http = new HttpClient { BaseAddress = control.HttpBase };
        using var configz = JsonDocument.Parse(await http.GetStringAsync("/debug/configz"));
        var rejected = Assert.Single(configz.RootElement.GetProperty("rejected").EnumerateArray());
        Assert.True(rejected.GetProperty("keptLastGood").GetBoolean());
        var error = Assert.Single(rejected.GetProperty("errors").EnumerateArray());
        Assert.Equal("spec.http[0].route[1].weight", error.GetProperty("field").GetString());
        Assert.Equal(9, error.GetProperty("line").GetInt32());
        Assert.Contains("virtual-service.yaml", error.GetProperty("text").GetString(), StringComparison.Ordinal);

        // The last good version keeps serving: nothing was pushed, and a fresh request still sees 90/10.
        await client.SendAsync(TypeUrls.Cluster);
        Assert.Equal(TypeUrls.Cluster, (await client.ReceiveAsync()).TypeUrl);
        await using var fresh = new AdsClient(control.XdsAddress, AdsClient.SidecarNode(name: "fresh"));
        await fresh.SendAsync(TypeUrls.RouteConfiguration, ["8080"]);
        Assert.Equal(new uint[] { 90, 10 }, Weights(await fresh.ReceiveAsync()));
    }

    [Fact]
    public async Task Deleting_a_file_removes_its_resources()
    {
        await using var control = await RunningControlPlane.StartAsync(Canary.Files());
        await using var client = new AdsClient(control.XdsAddress, AdsClient.SidecarNode());
        await client.SendAsync(TypeUrls.Cluster);
        var cds = await client.ReceiveAsync();
        await client.SendAsync(TypeUrls.Cluster, ack: cds);

        await control.ChangeAsync(d => d.Delete("destination-rule.yaml"));
        var pushed = await client.ReceiveAsync();
        var names = pushed.Resources.Select(a => a.Unpack<Cluster>().Name).ToList();
        Assert.Contains(Cluster(), names);
        Assert.DoesNotContain(Cluster("v1"), names);
    }

    private static uint[] Weights(Weft.Xds.Envoy.Service.Discovery.V3.DiscoveryResponse response)
    {
        var config = Assert.Single(response.Resources).Unpack<RouteConfiguration>();
        var vhost = config.VirtualHosts.Single(v => v.Name == $"{Canary.Host}:8080");
        var action = vhost.Routes[0].Route_;
        return action.WeightedClusters is { } weighted ? weighted.Clusters.Select(c => c.Weight.GetValueOrDefault()).ToArray() : [100u];
    }
}
