using Weft.Control.Tests.Support;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Control.Tests.Xds;

/// <summary>What a proxyless gRPC client (metadata GENERATOR: grpc) is served, in the order it asks.</summary>
public sealed class ProxylessTests
{
    [Fact]
    public async Task A_target_listener_holds_an_api_listener_reading_the_service_route()
    {
        await using var control = await RunningControlPlane.StartAsync(Canary.Files());
        await using var client = new AdsClient(control.XdsAddress, AdsClient.SidecarNode(proxyless: true));
        var target = $"{Canary.Host}:8080";
        await client.SendAsync(TypeUrls.Listener, [target]);
        var lds = await client.ReceiveAsync();
        var listener = Assert.Single(lds.Resources).Unpack<Listener>();
        Assert.Equal(target, listener.Name);
        var manager = listener.ApiListener.ApiListener_.Unpack<HttpConnectionManager>();
        var routeName = ResourceNames.OutboundCluster(8080, Canary.Host);
        Assert.Equal(routeName, manager.Rds.RouteConfigName);
        Assert.NotNull(manager.Rds.ConfigSource.Ads);
        Assert.Equal("envoy.filters.http.router", manager.HttpFilters[^1].Name);

        await client.SendAsync(TypeUrls.Listener, [target], ack: lds);
        await client.SendAsync(TypeUrls.RouteConfiguration, [routeName]);
        var rds = await client.ReceiveAsync();
        var config = Assert.Single(rds.Resources).Unpack<RouteConfiguration>();
        var vhost = Assert.Single(config.VirtualHosts);
        Assert.Contains(target, vhost.Domains);
        var clusters = vhost.Routes[0].Route_.WeightedClusters.Clusters.Select(c => (c.Name, c.Weight.GetValueOrDefault())).ToArray();
        Assert.Equal([(ResourceNames.OutboundCluster(8080, Canary.Host, "v1"), 90u), (ResourceNames.OutboundCluster(8080, Canary.Host, "v2"), 10u)], clusters);
    }

    [Fact]
    public async Task A_short_target_name_resolves_in_the_client_namespace()
    {
        await using var control = await RunningControlPlane.StartAsync(Canary.Files());
        await using var client = new AdsClient(control.XdsAddress, AdsClient.SidecarNode(proxyless: true));
        await client.SendAsync(TypeUrls.Listener, ["product-catalog:8080"]);
        var listener = Assert.Single((await client.ReceiveAsync()).Resources).Unpack<Listener>();
        Assert.Equal("product-catalog:8080", listener.Name);
    }
}
