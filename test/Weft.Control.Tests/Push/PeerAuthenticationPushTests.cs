using Weft.Control.Tests.Support;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Control.Tests.Push;

/// <summary>
/// A PeerAuthentication edit reaches the inbound listeners of the workloads whose mode it changes, and only theirs, and
/// the clusters of clients whose auto mTLS it changes: a workload policy changes its workload's listeners and no
/// client's clusters (auto mTLS reads only namespace and mesh policies); a namespace policy changes the clients' clusters
/// and the listeners of the workloads it is not overridden for.
/// </summary>
public sealed class PeerAuthenticationPushTests
{
    private const string WorkloadStrict = """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: v1-strict, namespace: default}
        spec:
          selector: {matchLabels: {app: product-catalog, version: v1}}
          mtls: {mode: STRICT}
        """;

    private const string NamespaceDisable = """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: default}
        spec:
          mtls: {mode: DISABLE}
        """;

    [Fact]
    public async Task Workload_and_namespace_policies_push_lds_and_cds_where_they_change_something()
    {
        await using var control = await RunningControlPlane.StartAsync(Canary.Files());
        await using var v1 = new AdsClient(control.XdsAddress, AdsClient.SidecarNode(name: "product-catalog-v1"));
        await using var v2 = new AdsClient(control.XdsAddress, AdsClient.SidecarNode(name: "product-catalog-v2"));
        await using var client = new AdsClient(control.XdsAddress, AdsClient.SidecarNode(name: "client"));
        foreach (var workload in new[] { v1, v2 })
        {
            await workload.SendAsync(TypeUrls.Listener);
            var lds = await workload.ReceiveAsync();
            Assert.True(AcceptsPlaintext(lds, 18081) || AcceptsPlaintext(lds, 18082));
            await workload.SendAsync(TypeUrls.Listener, ack: lds);
        }

        await client.SendAsync(TypeUrls.Cluster);
        var cds = await client.ReceiveAsync();
        Assert.True(AutoMtls(cds));
        await client.SendAsync(TypeUrls.Cluster, ack: cds);

        await control.ChangeAsync(d => d.Write("v1-strict.yaml", WorkloadStrict));
        var strict = await v1.ReceiveAsync();
        Assert.Equal(TypeUrls.Listener, strict.TypeUrl);
        Assert.False(AcceptsPlaintext(strict, 18081));
        await v1.SendAsync(TypeUrls.Listener, ack: strict);
        Assert.Null(await v2.ReceiveWithinAsync(TimeSpan.FromSeconds(1)));
        Assert.Null(await client.ReceiveWithinAsync(TimeSpan.FromSeconds(1)));

        await control.ChangeAsync(d => d.Write("namespace.yaml", NamespaceDisable));
        var disabled = await client.ReceiveAsync();
        Assert.Equal(TypeUrls.Cluster, disabled.TypeUrl);
        Assert.False(AutoMtls(disabled));
        var plaintext = await v2.ReceiveAsync();
        Assert.True(AcceptsPlaintext(plaintext, 18082));
        Assert.False(TerminatesMtls(plaintext, 18082));
        // v1's own STRICT policy still decides its ports.
        Assert.Null(await v1.ReceiveWithinAsync(TimeSpan.FromSeconds(1)));
    }

    private static IEnumerable<FilterChain> PortChains(DiscoveryResponse response, uint port) =>
        response.Resources.Select(r => r.Unpack<Listener>())
            .Where(l => l.Name == ResourceNames.VirtualInboundListener)
            .SelectMany(l => l.FilterChains)
            .Where(c => c.FilterChainMatch?.DestinationPort == port);

    private static bool AcceptsPlaintext(DiscoveryResponse response, uint port) =>
        PortChains(response, port).Any(c => c.FilterChainMatch.TransportProtocol == "raw_buffer");

    private static bool TerminatesMtls(DiscoveryResponse response, uint port) =>
        PortChains(response, port).Any(c => c.TransportSocket?.Name == "envoy.transport_sockets.tls");

    private static bool AutoMtls(DiscoveryResponse response) =>
        response.Resources.Select(r => r.Unpack<Cluster>())
            .Single(c => c.Name == $"outbound|8080||{Canary.Host}")
            .TransportSocketMatches.Any(m => m.Name == "tlsMode-istio");
}
