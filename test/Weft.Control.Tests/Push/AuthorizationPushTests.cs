using Weft.Control.Tests.Support;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Control.Tests.Push;

/// <summary>
/// An AuthorizationPolicy edit reaches the listeners of the workloads it selects, and only theirs: their inbound
/// listeners are pushed again (with or without the RBAC filter), while a proxy the policy does not select gets nothing.
/// </summary>
public sealed class AuthorizationPushTests
{
    private const string Policy = """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: get-only, namespace: default}
        spec:
          selector: {matchLabels: {app: product-catalog}}
          rules: [{to: [{operation: {methods: [GET]}}]}]
        """;

    [Fact]
    public async Task Adding_and_removing_a_policy_pushes_lds_to_the_selected_workload_only()
    {
        await using var control = await RunningControlPlane.StartAsync(Canary.Files());
        await using var selected = new AdsClient(control.XdsAddress, AdsClient.SidecarNode(name: "product-catalog-v1"));
        await using var other = new AdsClient(control.XdsAddress, AdsClient.SidecarNode(name: "client"));
        foreach (var client in new[] { selected, other })
        {
            await client.SendAsync(TypeUrls.Listener);
            var lds = await client.ReceiveAsync();
            Assert.False(HasRbac(lds));
            await client.SendAsync(TypeUrls.Listener, ack: lds);
        }

        await control.ChangeAsync(d => d.Write("authorization.yaml", Policy));
        var pushed = await selected.ReceiveAsync();
        Assert.Equal(TypeUrls.Listener, pushed.TypeUrl);
        Assert.True(HasRbac(pushed));
        await selected.SendAsync(TypeUrls.Listener, ack: pushed);
        Assert.Null(await other.ReceiveWithinAsync(TimeSpan.FromSeconds(1)));

        await control.ChangeAsync(d => d.Delete("authorization.yaml"));
        var restored = await selected.ReceiveAsync();
        Assert.False(HasRbac(restored));
        Assert.Null(await other.ReceiveWithinAsync(TimeSpan.FromSeconds(1)));
    }

    private static bool HasRbac(Weft.Xds.Envoy.Service.Discovery.V3.DiscoveryResponse response) =>
        response.Resources.Select(r => r.Unpack<Listener>())
            .Where(l => l.Name == ResourceNames.VirtualInboundListener)
            .SelectMany(l => l.FilterChains)
            .SelectMany(c => c.Filters)
            .Where(f => f.TypedConfig.TypeUrl == TypeUrls.HttpConnectionManager)
            .Any(f => f.TypedConfig.Unpack<HttpConnectionManager>().HttpFilters.Any(h => h.Name == "envoy.filters.http.rbac"));
}
