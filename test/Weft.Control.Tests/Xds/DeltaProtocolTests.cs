using Weft.Control.Tests.Support;
using Weft.Xds;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Control.Tests.Xds;

/// <summary>Delta xDS over a real gRPC stream: resources with versions, true deltas on change, removals named.</summary>
public sealed class DeltaProtocolTests
{
    private static string Cluster(string subset = "") => ResourceNames.OutboundCluster(8080, Canary.Host, subset);

    [Fact]
    public async Task Wildcard_subscription_then_a_change_sends_only_the_difference()
    {
        await using var control = await RunningControlPlane.StartAsync(Canary.Files());
        await using var client = new AdsClient(control.XdsAddress, AdsClient.SidecarNode(), delta: true);

        await client.SendDeltaAsync(new DeltaDiscoveryRequest { TypeUrl = TypeUrls.Cluster });
        var first = await client.ReceiveDeltaAsync();
        var versions = first.Resources.ToDictionary(r => r.Name, r => r.Version);
        Assert.Contains(Cluster("v2"), versions.Keys);
        Assert.All(versions.Values, v => Assert.NotEmpty(v));
        await client.SendDeltaAsync(new DeltaDiscoveryRequest { TypeUrl = TypeUrls.Cluster, ResponseNonce = first.Nonce });

        // Dropping subset v2 removes exactly that cluster; nothing else is re-sent.
        await control.ChangeAsync(d => d.Write("destination-rule.yaml", Canary.Subsets.Replace("\n  - {name: v2, labels: {version: v2}}", string.Empty, StringComparison.Ordinal)));
        var change = await client.ReceiveDeltaAsync();
        Assert.Empty(change.Resources);
        Assert.Equal([Cluster("v2")], change.RemovedResources);
    }

    [Fact]
    public async Task Initial_versions_the_client_already_holds_are_not_sent_again()
    {
        await using var control = await RunningControlPlane.StartAsync(Canary.Files());
        DeltaDiscoveryResponse first;
        await using (var client = new AdsClient(control.XdsAddress, AdsClient.SidecarNode(), delta: true))
        {
            await client.SendDeltaAsync(new DeltaDiscoveryRequest { TypeUrl = TypeUrls.ClusterLoadAssignment, ResourceNamesSubscribe = { Cluster("v1"), Cluster("v2") } });
            first = await client.ReceiveDeltaAsync();
            Assert.Equal(2, first.Resources.Count);
        }

        await using var reconnected = new AdsClient(control.XdsAddress, AdsClient.SidecarNode(), delta: true);
        var request = new DeltaDiscoveryRequest { TypeUrl = TypeUrls.ClusterLoadAssignment, ResourceNamesSubscribe = { Cluster("v1"), Cluster("v2") } };
        request.InitialResourceVersions[Cluster("v1")] = first.Resources.Single(r => r.Name == Cluster("v1")).Version;
        request.InitialResourceVersions[Cluster("v2")] = "stale";
        await reconnected.SendDeltaAsync(request);
        var answer = await reconnected.ReceiveDeltaAsync();
        Assert.Equal([Cluster("v2")], answer.Resources.Select(r => r.Name));
    }
}
