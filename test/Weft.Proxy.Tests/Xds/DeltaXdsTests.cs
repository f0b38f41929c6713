using Microsoft.Extensions.Logging.Abstractions;
using Weft.Proxy.Hosting;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Proxy.Tests.Xds;

/// <summary>
/// The incremental (delta) ADS client: against a scripted server, what it asks for and acknowledges, how removals and
/// refusals land, and what it re-sends on reconnect; against the real control plane, the canary served over delta.
/// </summary>
public sealed class DeltaXdsTests : IAsyncLifetime
{
    private const string NodeId = "sidecar~127.0.0.1~client.default~default.svc.cluster.local";
    private FakeAdsServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeAdsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Subscribes_with_changes_and_acknowledges_each_response_by_its_nonce()
    {
        var consumer = new RecordingConsumer();
        await using var run = Run(consumer);
        var stream = await _server.NextDeltaStreamAsync();

        var cds = await stream.NextRequestAsync();
        Assert.Equal(TypeUrls.Cluster, cds.TypeUrl);
        Assert.Empty(cds.ResourceNamesSubscribe); // the legacy wildcard, as Envoy sends it
        Assert.Empty(cds.InitialResourceVersions);
        Assert.Equal(NodeId, cds.Node.Id);

        var clusters = await stream.RespondAsync(TypeUrls.Cluster, "1", [], XdsResources.EdsCluster("outbound|80||a"), XdsResources.EdsCluster("outbound|80||b"));
        var ack = await stream.NextRequestAsync();
        Assert.Equal(TypeUrls.Cluster, ack.TypeUrl);
        Assert.Equal(clusters.Nonce, ack.ResponseNonce);
        Assert.Null(ack.ErrorDetail);
        Assert.Null(ack.Node); // the node goes on the first request of a stream only
        Assert.Empty(ack.ResourceNamesSubscribe);

        var eds = await stream.NextRequestAsync();
        Assert.Equal(TypeUrls.ClusterLoadAssignment, eds.TypeUrl);
        Assert.Equal(["outbound|80||a", "outbound|80||b"], eds.ResourceNamesSubscribe);
        var lds = await stream.NextRequestAsync();
        Assert.Equal(TypeUrls.Listener, lds.TypeUrl);

        // A later CDS response adds one cluster: EDS is asked for that one name only, nothing is unsubscribed.
        var more = await stream.RespondAsync(TypeUrls.Cluster, "2", [], XdsResources.EdsCluster("outbound|80||c"));
        Assert.Equal(more.Nonce, (await stream.NextRequestAsync()).ResponseNonce);
        var added = await stream.NextRequestAsync();
        Assert.Equal(TypeUrls.ClusterLoadAssignment, added.TypeUrl);
        Assert.Equal(["outbound|80||c"], added.ResourceNamesSubscribe);
        Assert.Empty(added.ResourceNamesUnsubscribe);
        await XdsClientRun.WaitFor(() => consumer.Last.Clusters.Resources.Count == 3, "the third cluster is added to the two held");
        Assert.Equal("2", consumer.Last.Clusters.Version);

        // Removing a cluster drops it and unsubscribes its endpoints.
        var removal = await stream.RespondAsync(TypeUrls.Cluster, "3", ["outbound|80||a"]);
        Assert.Equal(removal.Nonce, (await stream.NextRequestAsync()).ResponseNonce);
        var dropped = await stream.NextRequestAsync();
        Assert.Equal(TypeUrls.ClusterLoadAssignment, dropped.TypeUrl);
        Assert.Empty(dropped.ResourceNamesSubscribe);
        Assert.Equal(["outbound|80||a"], dropped.ResourceNamesUnsubscribe);
        await XdsClientRun.WaitFor(() => consumer.Last.Clusters.Resources.Count == 2, "the removed cluster is gone");
        Assert.Equal(["outbound|80||b", "outbound|80||c"], consumer.Last.Clusters.Resources.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_refused_response_is_nacked_with_the_reason_and_what_was_held_stays()
    {
        var consumer = new RecordingConsumer(m => m is Weft.Xds.Envoy.Config.Cluster.V3.Cluster { Name: "bad" } ? "cannot use this one" : null);
        await using var run = Run(consumer);
        var stream = await _server.NextDeltaStreamAsync();
        await stream.NextRequestAsync();

        await stream.RespondAsync(TypeUrls.Cluster, "1", [], XdsResources.StaticCluster("good", ("127.0.0.1", 1)));
        await stream.NextRequestAsync(); // ACK
        await stream.NextRequestAsync(); // LDS

        // One bad resource refuses the whole response, its removal included.
        var refused = await stream.RespondAsync(TypeUrls.Cluster, "2", ["good"], XdsResources.StaticCluster("bad", ("127.0.0.1", 2)));
        var nack = await stream.NextRequestAsync();
        Assert.Equal(refused.Nonce, nack.ResponseNonce);
        Assert.NotNull(nack.ErrorDetail);
        Assert.Contains("CDS bad: cannot use this one", nack.ErrorDetail.Message, StringComparison.Ordinal);
        await XdsClientRun.WaitFor(() => consumer.Last.Clusters.LastRejection is not null, "the refusal is recorded");
        Assert.Equal(["good"], consumer.Last.Clusters.Resources.Keys.ToArray());
        Assert.Equal("1", consumer.Last.Clusters.Version);
    }

    [Fact]
    public async Task A_new_stream_sends_the_subscription_with_the_versions_held()
    {
        var consumer = new RecordingConsumer();
        await using var run = Run(consumer);
        var stream = await _server.NextDeltaStreamAsync();
        await stream.NextRequestAsync();
        await stream.RespondAsync(TypeUrls.Cluster, "7", [], XdsResources.EdsCluster("outbound|80||a"));
        await stream.NextRequestAsync(); // ACK
        await stream.NextRequestAsync(); // EDS
        await stream.NextRequestAsync(); // LDS
        await stream.RespondAsync(TypeUrls.ClusterLoadAssignment, "7", [], XdsResources.Assignment("outbound|80||a", ("127.0.0.1", 9)));
        await stream.NextRequestAsync(); // ACK
        await XdsClientRun.WaitFor(() => consumer.Last.Endpoints.Received, "endpoints are held");

        await _server.StopAsync();
        await _server.RestartAsync();
        var again = await _server.NextDeltaStreamAsync();
        var requests = new List<DeltaDiscoveryRequest>();
        for (var i = 0; i < 3; i++)
        {
            requests.Add(await again.NextRequestAsync());
        }

        Assert.Equal([TypeUrls.Cluster, TypeUrls.ClusterLoadAssignment, TypeUrls.Listener], requests.Select(r => r.TypeUrl));
        Assert.Equal(NodeId, requests[0].Node.Id);
        Assert.All(requests, r => Assert.Equal(string.Empty, r.ResponseNonce));
        Assert.Equal("7", requests[0].InitialResourceVersions["outbound|80||a"]);
        Assert.Empty(requests[0].ResourceNamesSubscribe);
        Assert.Equal(["outbound|80||a"], requests[1].ResourceNamesSubscribe);
        Assert.Equal("7", requests[1].InitialResourceVersions["outbound|80||a"]);
        Assert.Empty(requests[2].InitialResourceVersions);

        // What it held stayed in force while the control plane was away.
        Assert.Single(consumer.Last.Endpoints.Resources);
    }

    [Fact]
    public async Task The_canary_is_served_over_delta_from_the_real_control_plane_and_follows_an_edit()
    {
        await using var mesh = await CanaryMesh.StartAsync();
        await using var proxy = await RunningProxy.StartAsync(mesh.XdsAddress, o => o with { XdsProtocol = XdsProtocol.Delta });

        Assert.True(Assert.Single(mesh.Plane!.Xds.Connections).Delta);
        var first = await proxy.GetAsync(CanaryMesh.Host);
        Assert.True(first.IsSuccessStatusCode, $"the first request got {(int)first.StatusCode}");

        // Before the edit one answer in ten is v2; fifty in a row (a chance of 1e-50 at 90/10) says the edit arrived.
        mesh.SetWeights(0, 100);
        var run = 0;
        await XdsClientRun.WaitFor(
            async () =>
            {
                run = await (await proxy.GetAsync(CanaryMesh.Host)).Content.ReadAsStringAsync() == "v2" ? run + 1 : 0;
                return run == 50;
            },
            "fifty answers in a row come from v2");
    }

    private XdsClientRun Run(RecordingConsumer consumer) => new(new XdsClient(
        new XdsClientOptions
        {
            Address = _server.Address,
            Node = NodeIdentity.Parse(NodeId),
            Delta = true,
            ReconnectInitial = TimeSpan.FromMilliseconds(100),
            ReconnectMaximum = TimeSpan.FromMilliseconds(200),
            Random = () => 0.5,
        },
        consumer,
        NullLogger<XdsClient>.Instance));
}
