using System.Text;
using Weft.Api.Model.Networking;
using Weft.Control.Config;
using Weft.Control.Model;

namespace Weft.Control.Push;

/// <summary>
/// Proxies whose outbound configuration cannot differ are of one class: the same type, namespace, DNS domain, Sidecar
/// scope, interception mode, locality and network, the same proxyHeaders of their own ProxyConfig (node metadata
/// <c>PROXY_CONFIG</c>), and the same labels when any configuration looks at labels (VirtualService
/// <c>sourceLabels</c>, DestinationRule <c>workloadSelector</c>, locality <c>failoverPriority</c>, a Telemetry
/// <c>selector</c>).
/// Outbound clusters, endpoints and routes are generated once per class and push and shared by its proxies; a gateway is
/// a class of its own.
/// </summary>
public static class ProxyClasses
{
    public static string Of(ProxyNode proxy, PushContext push)
    {
        var key = new StringBuilder(128)
            .Append(proxy.Type).Append('|')
            .Append(proxy.Namespace).Append('|')
            .Append(proxy.DnsDomain).Append('|')
            .Append(proxy.IsProxylessGrpc ? "grpc" : "envoy").Append('|')
            .Append(proxy.InterceptionMode).Append('|')
            .Append(push.SidecarScope(proxy).Sidecar?.Key.ToString()).Append('|')
            .Append(proxy.Locality).Append('|')
            .Append(proxy.ClusterId).Append('|')
            .Append(proxy.Workload?.Network);
        if (proxy.Type == ProxyType.Router)
        {
            key.Append("|id=").Append(proxy.Id);
        }

        if (proxy.ProxyHeaders is { } headers)
        {
            key.Append("|headers=").Append(headers);
        }

        if (proxy.Type == ProxyType.Router || push.LabelsMatter)
        {
            foreach (var (name, value) in proxy.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                key.Append('|').Append(name).Append('=').Append(value);
            }
        }

        return key.ToString();
    }

    /// <summary>Whether any resource in force makes outbound configuration depend on the proxy's labels.</summary>
    public static bool LabelsMatter(ConfigSnapshot config, MeshConfig mesh)
    {
        if (mesh.LocalityLbSetting?.FailoverPriority is { Count: > 0 })
        {
            return true;
        }

        foreach (var stored in config.OfKind("VirtualService"))
        {
            var spec = stored.Spec<VirtualServiceSpec>();
            if ((spec.Http ?? []).Any(r => (r.Match ?? []).Any(m => m.SourceLabels is { Count: > 0 }))
                || (spec.Tcp ?? []).Any(r => (r.Match ?? []).Any(m => m.SourceLabels is { Count: > 0 }))
                || (spec.Tls ?? []).Any(r => (r.Match ?? []).Any(m => m.SourceLabels is { Count: > 0 })))
            {
                return true;
            }
        }

        foreach (var stored in config.OfKind("DestinationRule"))
        {
            var spec = stored.Spec<DestinationRuleSpec>();
            if (spec.WorkloadSelector?.MatchLabels is { Count: > 0 }
                || FailsOverByLabel(spec.TrafficPolicy)
                || (spec.Subsets ?? []).Any(s => FailsOverByLabel(s.TrafficPolicy)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool FailsOverByLabel(TrafficPolicy? policy) =>
        policy is not null
        && (policy.LoadBalancer?.LocalityLbSetting?.FailoverPriority is { Count: > 0 }
            || (policy.PortLevelSettings ?? []).Any(p => p.LoadBalancer?.LocalityLbSetting?.FailoverPriority is { Count: > 0 }));

    /// <summary>
    /// Whether a change of <paramref name="kind"/> can change the outbound clusters or endpoints of any proxy. Routing
    /// and policy kinds cannot (clusters come from services, DestinationRules, Sidecars and PeerAuthentications), nor can
    /// Secrets: clusters only name credentials, whose content reaches proxies by SDS.
    /// </summary>
    public static bool AffectsClustersAndEndpoints(string kind) =>
        kind is not ("VirtualService" or "AuthorizationPolicy" or "RequestAuthentication" or "Telemetry" or "WasmPlugin" or "Secret");
}
