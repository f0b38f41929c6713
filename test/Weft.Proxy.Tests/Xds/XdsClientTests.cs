using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Proxy.Tests.Xds;

/// <summary>The ADS client against a scripted control plane: what it asks for, in which order, and what it acknowledges.</summary>
public sealed class XdsClientTests : IAsyncLifetime
{
    private const string NodeId = "sidecar~127.0.0.1~client.default~default.svc.cluster.local";
    private FakeAdsServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeAdsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Subscribes_as_Envoy_does_clusters_then_endpoints_then_listeners_then_routes()
    {
        var consumer = new RecordingConsumer();
        await using var run = Run(consumer);
        var stream = await _server.NextStreamAsync();

        var cds = await stream.NextRequestAsync();
        Assert.Equal(TypeUrls.Cluster, cds.TypeUrl);
        Assert.Empty(cds.ResourceNames);
        Assert.Equal(NodeId, cds.Node.Id);
        Assert.Equal(["no clusters (CDS) yet", "no listeners (LDS) yet"], XdsConfig.Empty.Missing());
        Assert.Equal("default", cds.Node.Metadata.Fields["NAMESPACE"].StringValue);
        Assert.Equal("", cds.ResponseNonce);

        var clusters = await stream.RespondAsync(TypeUrls.Cluster, "v1", XdsResources.EdsCluster("outbound|80||a"), XdsResources.StaticCluster("static", ("127.0.0.1", 1)), XdsResources.EdsCluster("outbound|80||b"));
        var ack = await stream.NextRequestAsync();
        AssertAck(ack, clusters);
        Assert.Null(ack.Node); // the node goes on the first request of a stream only

        var eds = await stream.NextRequestAsync();
        Assert.Equal(TypeUrls.ClusterLoadAssignment, eds.TypeUrl);
        Assert.Equal(["outbound|80||a", "outbound|80||b"], eds.ResourceNames);
        Assert.Equal("", eds.ResponseNonce);

        var lds = await stream.NextRequestAsync();
        Assert.Equal(TypeUrls.Listener, lds.TypeUrl);
        Assert.Empty(lds.ResourceNames);

        var listeners = await stream.RespondAsync(TypeUrls.Listener, "v1", XdsResources.HttpListener(80), XdsResources.HttpListener(8080));
        AssertAck(await stream.NextRequestAsync(), listeners);
        var rds = await stream.NextRequestAsync();
        Assert.Equal(TypeUrls.RouteConfiguration, rds.TypeUrl);
        Assert.Equal(["80", "8080"], rds.ResourceNames);

        await XdsClientRun.WaitFor(() => consumer.Last.Listeners.Received, "listeners handed on");
        Assert.Equal(
            ["endpoints (EDS) of 2 cluster(s) not received: outbound|80||a, outbound|80||b", "route configuration(s) (RDS) not received: 80, 8080"],
            consumer.Last.Missing());

        var endpoints = await stream.RespondAsync(TypeUrls.ClusterLoadAssignment, "v1", XdsResources.Assignment("outbound|80||a", ("127.0.0.1", 9)), XdsResources.Assignment("outbound|80||b"));
        var edsAck = await stream.NextRequestAsync();
        AssertAck(edsAck, endpoints);
        Assert.Equal(["outbound|80||a", "outbound|80||b"], edsAck.ResourceNames);

        var routes = await stream.RespondAsync(TypeUrls.RouteConfiguration, "v1", XdsResources.Routes("80"), XdsResources.Routes("8080"));
        AssertAck(await stream.NextRequestAsync(), routes);

        await XdsClientRun.WaitFor(() => consumer.Last.Routes.Received, "the routes are handed on");
        var last = consumer.Last;
        Assert.Empty(last.Missing());
        Assert.Equal(3, last.Clusters.Resources.Count);
        Assert.Equal(2, last.Endpoints.Resources.Count);
        Assert.Equal(2, last.Listeners.Resources.Count);
        Assert.Equal(2, last.Routes.Resources.Count);
    }

    [Fact]
    public async Task Follows_new_clusters_and_listeners_with_new_subscriptions_and_forgets_what_is_gone()
    {
        var consumer = new RecordingConsumer();
        await using var run = Run(consumer);
        var stream = await _server.NextStreamAsync();
        await stream.NextRequestAsync(); // CDS
        await stream.RespondAsync(TypeUrls.Cluster, "v1", XdsResources.EdsCluster("a"));
        await stream.NextRequestAsync(); // ACK
        await stream.NextRequestAsync(); // EDS [a]
        await stream.NextRequestAsync(); // LDS
        var endpoints = await stream.RespondAsync(TypeUrls.ClusterLoadAssignment, "e1", XdsResources.Assignment("a", ("127.0.0.1", 1)));
        await stream.NextRequestAsync(); // EDS ACK

        // A push replaces a with b: the client asks for b's endpoints instead, naming the EDS response it holds.
        var clusters = await stream.RespondAsync(TypeUrls.Cluster, "v2", XdsResources.EdsCluster("b"));
        AssertAck(await stream.NextRequestAsync(), clusters);
        var eds = await stream.NextRequestAsync();
        Assert.Equal(TypeUrls.ClusterLoadAssignment, eds.TypeUrl);
        Assert.Equal(["b"], eds.ResourceNames);
        Assert.Equal(endpoints.Nonce, eds.ResponseNonce);
        Assert.Equal("e1", eds.VersionInfo);
        await XdsClientRun.WaitFor(() => consumer.Last.Endpoints.Resources.Count == 0, "a's endpoints are forgotten");

        // A new listener names a new route configuration.
        var listeners = await stream.RespondAsync(TypeUrls.Listener, "l1", XdsResources.HttpListener(9090));
        AssertAck(await stream.NextRequestAsync(), listeners);
        var rds = await stream.NextRequestAsync();
        Assert.Equal(["9090"], rds.ResourceNames);
    }

    [Fact]
    public async Task Refuses_a_response_it_cannot_compile_with_the_reason_and_keeps_what_it_had()
    {
        var consumer = new RecordingConsumer(m => m is Cluster { Name: "broken" } ? "the regex \"(\" does not parse" : null);
        await using var run = Run(consumer);
        var stream = await _server.NextStreamAsync();
        await stream.NextRequestAsync();
        var good = await stream.RespondAsync(TypeUrls.Cluster, "v1", XdsResources.StaticCluster("ok", ("127.0.0.1", 1)));
        AssertAck(await stream.NextRequestAsync(), good);
        await stream.NextRequestAsync(); // LDS

        var bad = await stream.RespondAsync(TypeUrls.Cluster, "v2", XdsResources.StaticCluster("ok2", ("127.0.0.1", 1)), XdsResources.StaticCluster("broken", ("127.0.0.1", 2)));
        var nack = await stream.NextRequestAsync();
        await XdsClientRun.WaitFor(() => consumer.Last.Clusters.LastRejection is not null, "the rejection is recorded");
        Assert.Equal(TypeUrls.Cluster, nack.TypeUrl);
        Assert.Equal(bad.Nonce, nack.ResponseNonce);
        Assert.Equal("v1", nack.VersionInfo); // the version still in force
        Assert.NotNull(nack.ErrorDetail);
        Assert.Equal("CDS broken: the regex \"(\" does not parse", nack.ErrorDetail.Message);

        var last = consumer.Last;
        Assert.Equal(["ok"], last.Clusters.Resources.Keys.ToArray());
        Assert.Equal("v1", last.Clusters.Version);
        Assert.Equal("v2", last.Clusters.LastRejection?.Version);

        // The next good response is taken and the rejection cleared.
        var fixedUp = await stream.RespondAsync(TypeUrls.Cluster, "v3", XdsResources.StaticCluster("ok3", ("127.0.0.1", 1)));
        AssertAck(await stream.NextRequestAsync(), fixedUp);
        await XdsClientRun.WaitFor(() => consumer.Last.Clusters.Version == "v3", "v3 accepted");
        Assert.Null(consumer.Last.Clusters.LastRejection);
    }

    [Fact]
    public async Task Ignores_resources_it_did_not_ask_for()
    {
        var consumer = new RecordingConsumer();
        await using var run = Run(consumer);
        var stream = await _server.NextStreamAsync();
        await stream.NextRequestAsync();
        await stream.RespondAsync(TypeUrls.Cluster, "v1", XdsResources.EdsCluster("a"));
        await stream.NextRequestAsync();
        await stream.NextRequestAsync(); // EDS [a]
        await stream.NextRequestAsync(); // LDS
        var endpoints = await stream.RespondAsync(TypeUrls.ClusterLoadAssignment, "e1", XdsResources.Assignment("a"), XdsResources.Assignment("zzz"));
        AssertAck(await stream.NextRequestAsync(), endpoints);
        await XdsClientRun.WaitFor(() => consumer.Last.Endpoints.Received, "EDS accepted");
        Assert.Equal(["a"], consumer.Last.Endpoints.Resources.Keys.ToArray());
    }

    [Fact]
    public async Task Reconnects_after_backoff_on_its_clock_and_resubscribes_with_the_versions_it_holds()
    {
        var time = new FakeTimeProvider();
        var consumer = new RecordingConsumer();
        await using var run = Run(consumer, time);
        var stream = await _server.NextStreamAsync();
        await stream.NextRequestAsync();
        await stream.RespondAsync(TypeUrls.Cluster, "c1", XdsResources.EdsCluster("a"));
        await stream.NextRequestAsync(); // ACK
        await stream.NextRequestAsync(); // EDS
        await stream.NextRequestAsync(); // LDS
        await stream.RespondAsync(TypeUrls.ClusterLoadAssignment, "e1", XdsResources.Assignment("a", ("127.0.0.1", 1)));
        await stream.NextRequestAsync();
        await stream.RespondAsync(TypeUrls.Listener, "l1", XdsResources.HttpListener(80));
        await stream.NextRequestAsync(); // ACK
        await stream.NextRequestAsync(); // RDS [80]
        await stream.RespondAsync(TypeUrls.RouteConfiguration, "r1", XdsResources.Routes("80", ("a.example", "a")));
        await stream.NextRequestAsync();
        await XdsClientRun.WaitFor(() => consumer.Last.Routes.Received, "routes accepted");

        // The control plane goes away; nothing is retried until the (fake) clock passes the backoff.
        await _server.StopAsync();
        await _server.RestartAsync();
        var reconnect = _server.NextStreamAsync();
        await XdsClientRun.WaitFor(() => run.Client.Status is { Connected: false, RetryAt: not null }, "the client notices and backs off");
        Assert.False(reconnect.IsCompleted, "reconnected before the backoff elapsed");
        using (var bound = new CancellationTokenSource(FakeAdsServer.Wait))
        {
            // The delay's timer may not be armed yet: move the clock in steps until the client comes back.
            while (!reconnect.IsCompleted && !bound.IsCancellationRequested)
            {
                time.Advance(TimeSpan.FromMilliseconds(500));
                await Task.WhenAny(reconnect, Task.Delay(20));
            }
        }

        var again = await reconnect;

        var requests = new List<DiscoveryRequest>();
        for (var i = 0; i < 4; i++)
        {
            requests.Add(await again.NextRequestAsync());
        }

        Assert.Equal([TypeUrls.Cluster, TypeUrls.ClusterLoadAssignment, TypeUrls.Listener, TypeUrls.RouteConfiguration], requests.Select(r => r.TypeUrl));
        Assert.Equal(["c1", "e1", "l1", "r1"], requests.Select(r => r.VersionInfo));
        Assert.All(requests, r => Assert.Equal("", r.ResponseNonce));
        Assert.Equal(NodeId, requests[0].Node.Id);
        Assert.Equal(["a"], requests[1].ResourceNames);
        Assert.Equal(["80"], requests[3].ResourceNames);

        // What it held stayed in force while the control plane was away.
        Assert.Single(consumer.Last.Routes.Resources);
    }

    private static void AssertAck(DiscoveryRequest request, DiscoveryResponse response)
    {
        Assert.Equal(response.TypeUrl, request.TypeUrl);
        Assert.Equal(response.VersionInfo, request.VersionInfo);
        Assert.Equal(response.Nonce, request.ResponseNonce);
        Assert.Null(request.ErrorDetail);
    }

    private XdsClientRun Run(RecordingConsumer consumer, TimeProvider? time = null)
    {
        var client = new XdsClient(
            new XdsClientOptions
            {
                Address = _server.Address,
                Node = NodeIdentity.Parse(NodeId),
                Time = time ?? TimeProvider.System,
                ReconnectInitial = TimeSpan.FromMilliseconds(500),
                ReconnectMaximum = TimeSpan.FromSeconds(1),
                Random = () => 0.5,
            },
            consumer,
            NullLogger<XdsClient>.Instance);
        return new XdsClientRun(client);
    }
}
