using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Telemetry;
using Weft.Proxy.Tests.Support;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Proxy.Tests.Telemetry;

/// <summary>
/// The <c>x-envoy-peer-metadata</c> headers follow the connection manager's Istio peer metadata filter, as in Envoy:
/// without it nothing is added, read or stripped; its lists say which side is read and which is answered.
/// </summary>
public sealed class PeerHeaderExchangeTests
{
    private const int Port = 9080;
    private const string Host = "app.local";
    private const string Cluster = "outbound|9080||app.local";

    /// <summary>The server sidecar of a peer, describing its workload in the response as Istio's does.</summary>
    private static readonly PeerMetadataExchange Server = new(
        "sidecar~10.0.0.9~app-v1.default~default.svc.cluster.local",
        "app-v1",
        WorkloadMetadata.Local("app-v1", "default", new Dictionary<string, string> { ["app"] = "app", ["version"] = "v1" }, "Kubernetes"));

    [Fact]
    public async Task Without_the_filter_the_headers_pass_through_untouched_and_the_peer_stays_unknown()
    {
        await using var backend = await AnsweringBackendAsync();
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(backend, filter: null));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var response = await proxy.GetAsync($"{Host}:{Port}", "/", (PeerMetadataExchange.IdHeader, "the-app's-own"));
        var received = Assert.Single(backend.Requests).Headers;
        Assert.Equal("the-app's-own", received[PeerMetadataExchange.IdHeader]);
        Assert.False(received.ContainsKey(PeerMetadataExchange.MetadataHeader));
        Assert.Equal(Server.LocalMetadata, response.Headers.GetValues(PeerMetadataExchange.MetadataHeader).Single());

        await proxy.RecordedAsync(1);
        var series = Assert.Single((await PrometheusScrape.GetAsync(proxy.Admin)).Find("istio_requests_total"));
        Assert.Equal("unknown", series.Label("destination_app"));
    }

    [Fact]
    public async Task Istios_outbound_config_sends_this_proxys_metadata_and_learns_the_upstreams_from_its_answer()
    {
        await using var backend = await AnsweringBackendAsync();
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(backend, MetadataExchangeFilters.HttpOutbound()));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var response = await proxy.GetAsync($"{Host}:{Port}", "/", (PeerMetadataExchange.IdHeader, "the-app's-own"));
        var received = Assert.Single(backend.Requests).Headers;
        Assert.Equal(proxy.Host.Node.Id, received[PeerMetadataExchange.IdHeader]);
        Assert.True(received.ContainsKey(PeerMetadataExchange.MetadataHeader));
        Assert.False(response.Headers.Contains(PeerMetadataExchange.MetadataHeader));
        Assert.False(response.Headers.Contains(PeerMetadataExchange.IdHeader));

        await proxy.RecordedAsync(1);
        var series = Assert.Single((await PrometheusScrape.GetAsync(proxy.Admin)).Find("istio_requests_total"));
        Assert.Equal("app", series.Label("destination_app"));
        Assert.Equal("v1", series.Label("destination_version"));
    }

    [Fact]
    public async Task A_cluster_istio_marks_disable_mx_never_gets_this_proxys_metadata()
    {
        await using var backend = await AnsweringBackendAsync();
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(backend, MetadataExchangeFilters.HttpOutbound(), disableMx: true));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var response = await proxy.GetAsync($"{Host}:{Port}", "/");
        var received = Assert.Single(backend.Requests).Headers;
        Assert.False(received.ContainsKey(PeerMetadataExchange.IdHeader));
        Assert.False(received.ContainsKey(PeerMetadataExchange.MetadataHeader));
    }

    [Fact]
    public async Task Istios_inbound_config_strips_the_clients_headers_and_answers_only_those_it_sent()
    {
        var client = new PeerMetadataExchange(
            "sidecar~10.0.0.7~shop.default~default.svc.cluster.local",
            "shop",
            WorkloadMetadata.Local("shop", "default", new Dictionary<string, string> { ["app"] = "shop" }, "Kubernetes"));
        await using var backend = await Backend.StartAsync("app");
        await using var plane = await ScriptedControlPlane.StartAsync(Resources(backend, MetadataExchangeFilters.HttpInbound()));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        // The client's metadata without its id: the answer carries this proxy's metadata, and no id.
        using (var response = await proxy.GetAsync($"{Host}:{Port}", "/", (PeerMetadataExchange.MetadataHeader, client.LocalMetadata)))
        {
            Assert.True(response.Headers.Contains(PeerMetadataExchange.MetadataHeader));
            Assert.False(response.Headers.Contains(PeerMetadataExchange.IdHeader));
        }

        // Neither: no answer at all.
        using (var response = await proxy.GetAsync($"{Host}:{Port}", "/"))
        {
            Assert.False(response.Headers.Contains(PeerMetadataExchange.MetadataHeader));
            Assert.False(response.Headers.Contains(PeerMetadataExchange.IdHeader));
        }

        // The application behind never sees the exchange, and this config sends nothing of its own upstream.
        Assert.All(backend.Requests, r =>
        {
            Assert.False(r.Headers.ContainsKey(PeerMetadataExchange.MetadataHeader));
            Assert.False(r.Headers.ContainsKey(PeerMetadataExchange.IdHeader));
        });
    }

    /// <summary>A backend whose responses carry its sidecar's metadata, as a server sidecar answers.</summary>
    private static Task<Backend> AnsweringBackendAsync() => Backend.StartAsync("app", respond: context =>
    {
        context.Response.Headers[PeerMetadataExchange.IdHeader] = Server.LocalId;
        context.Response.Headers[PeerMetadataExchange.MetadataHeader] = Server.LocalMetadata;
        return context.Response.WriteAsync("app");
    });

    private static IEnumerable<IMessage> Resources(Backend backend, Any? filter, bool disableMx = false)
    {
        yield return filter is null
            ? XdsResources.HttpListener(Port)
            : XdsResources.HttpListener(Port, new HttpFilter { Name = MetadataExchangeFilters.FilterName, TypedConfig = filter });
        yield return XdsResources.Routes(Port.ToString(System.Globalization.CultureInfo.InvariantCulture), (Host, Cluster));
        var cluster = XdsResources.EdsCluster(Cluster);
        if (disableMx)
        {
            // What istiod writes on the clusters of services whose endpoints all take HBONE.
            cluster.Metadata = new Metadata();
            cluster.Metadata.FilterMetadata["istio"] = new Struct { Fields = { ["disable_mx"] = Value.ForBool(true) } };
        }

        yield return cluster;
        yield return XdsResources.Assignment(Cluster, ("127.0.0.1", backend.Port));
    }
}
