using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// The ports a sidecar accepts inbound traffic on, in ascending target-port order, as Istio's buildInboundChainConfigs
/// decides: a Sidecar with <c>ingress</c> entries declares them (replacing the ports of the services the workload
/// serves); otherwise each target port of those services, the first service per port winning. A proxy without
/// interception and without ingress entries gets none, so it never takes the application's own ports.
/// </summary>
internal static class InboundChainConfigs
{
    public static IReadOnlyList<InboundChainConfig> Build(ProxyNode proxy, PushContext push)
    {
        var scope = push.SidecarScope(proxy);
        var addresses = ProxyAddresses.For(proxy);
        var byPort = new Dictionary<int, InboundChainConfig>();
        if (scope.Spec?.Ingress is not { Count: > 0 } ingress)
        {
            if (ProxyAddresses.NoInterception(proxy))
            {
                return [];
            }

            foreach (var endpoint in InboundEndpoints.For(proxy, push))
            {
                // A unix socket endpoint has no port to receive on; the capture ports are the proxy's own.
                if (endpoint.Port == 0 || endpoint.Port == push.Mesh.ProxyListenPort || endpoint.Port == push.Mesh.ProxyInboundListenPort)
                {
                    continue;
                }

                byPort.TryAdd(endpoint.Port, new InboundChainConfig(
                    ResourceNames.InboundCluster(endpoint.Port), endpoint.ServicePort, endpoint.Port, addresses.Wildcard, BindToPort: false, endpoint.Service.Hostname));
            }
        }
        else
        {
            var sidecar = scope.Sidecar!.Key;
            var metadata = IstioMetadata.Config(ResourceNames.NetworkingConfigPath("sidecar", sidecar.Namespace, sidecar.Name));
            foreach (var entry in ingress)
            {
                if (entry.Port?.Number is not { } number || number <= 0)
                {
                    continue;
                }

                var port = new ServicePort(entry.Port.Name ?? string.Empty, (int)number, Protocols.Parse(entry.Port.Protocol));
                byPort.TryAdd(port.Number, new InboundChainConfig(
                    ResourceNames.InboundCluster(port.Number),
                    port,
                    port.Number,
                    entry.Bind is { Length: > 0 } bind ? bind : addresses.InboundBind,
                    BindsToPort(entry.CaptureMode, proxy),
                    $"{sidecar.Name}.{sidecar.Namespace}")
                {
                    Metadata = metadata,
                });
            }
        }

        return byPort.Values.OrderBy(c => c.TargetPort).ToArray();
    }

    /// <summary>An ingress entry's own capture mode decides; DEFAULT follows the proxy (no interception: bind for real).</summary>
    private static bool BindsToPort(string? captureMode, ProxyNode proxy) =>
        captureMode is null or "" or "DEFAULT" ? ProxyAddresses.NoInterception(proxy) : captureMode == "NONE";
}
