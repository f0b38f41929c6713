using Weft.Api.Model.Networking;
using Weft.Control.Model;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;

namespace Weft.Control.Generators.Endpoints;

/// <summary>
/// Istio's locality load balancing (<c>core/loadbalancer</c>): which setting applies to a cluster, what it sets on the
/// cluster, and how it re-weights or prioritises a load assignment relative to the proxy asking. Failover only happens
/// with outlier detection (Envoy would never move off a priority whose hosts it cannot see failing), so the mesh default
/// (enabled, no rules) orders endpoints by proximity exactly when a cluster has outlier detection.
/// </summary>
internal static class LocalityLoadBalancing
{
    /// <summary>
    /// The setting in force: the DestinationRule's (none at all when it says <c>enabled: false</c>), else the mesh's
    /// (likewise). Istio's zone-aware setting and Kubernetes trafficDistribution are not modelled.
    /// </summary>
    public static LocalityLoadBalancerSetting? Effective(MeshConfig mesh, LoadBalancerSettings? loadBalancer)
    {
        var setting = loadBalancer?.LocalityLbSetting ?? mesh.LocalityLbSetting;
        return setting is null || setting.Enabled == false ? null : setting;
    }

    /// <summary>
    /// Whether applying the setting depends on who asks: weights follow the proxy's locality, failover priorities follow
    /// its locality and (with <c>failoverPriority</c>) its labels. Callers caching per cluster must key by the proxy then.
    /// </summary>
    public static bool DependsOnProxy(LocalityLoadBalancerSetting? setting, bool outlierDetection) =>
        setting is not null && (setting.Distribute is { Count: > 0 } || outlierDetection);

    /// <summary>
    /// Istio's ApplyToCluster: weighted localities when the setting distributes, or fails over with outlier detection;
    /// inline endpoints (DNS clusters) are then prioritised for the proxy.
    /// </summary>
    public static void ApplyToCluster(Cluster cluster, LocalityLoadBalancerSetting? setting, IReadOnlyList<LocalityGroup> inline, ProxyNode proxy)
    {
        if (setting is null)
        {
            return;
        }

        var failover = cluster.OutlierDetection is not null;
        if (setting.Distribute is { Count: > 0 } || (failover && (setting.Failover is { Count: > 0 } || setting.FailoverPriority is { Count: > 0 })))
        {
            cluster.CommonLbConfig ??= new Cluster.Types.CommonLbConfig();
            cluster.CommonLbConfig.LocalityWeightedLbConfig = new Cluster.Types.CommonLbConfig.Types.LocalityWeightedLbConfig();
        }

        if (cluster.LoadAssignment is not null)
        {
            ApplyToAssignment(cluster.LoadAssignment, inline, proxy, setting, failover);
        }
    }

    /// <summary>
    /// Istio's ApplyLocalityLoadBalancer: <c>distribute</c> weights, else (with outlier detection) failover priorities by
    /// labels and then by proximity, or by proximity alone. <paramref name="groups"/> are the assignment's localities.
    /// </summary>
    public static void ApplyToAssignment(ClusterLoadAssignment assignment, IReadOnlyList<LocalityGroup> groups, ProxyNode proxy, LocalityLoadBalancerSetting setting, bool outlierDetection)
    {
        var locality = Localities.Parse(proxy.Locality);
        if (setting.Distribute is { Count: > 0 } distribute)
        {
            LocalityWeights.Apply(locality, assignment, distribute);
            return;
        }

        if (!outlierDetection)
        {
            return;
        }

        if (setting.FailoverPriority is { Count: > 0 } labels)
        {
            FailoverPriorities.Apply(assignment, groups, ProxyLabels(proxy), labels);
            if (setting.Failover is { Count: > 0 })
            {
                ProximityFailover.Apply(locality, assignment, setting.Failover);
            }

            return;
        }

        ProximityFailover.Apply(locality, assignment, setting.Failover);
    }

    /// <summary>The proxy's labels as <c>failoverPriority</c> sees them: with its locality, cluster and network added.</summary>
    public static IReadOnlyDictionary<string, string> ProxyLabels(ProxyNode proxy) =>
        TopologyLabels.Augment(proxy.Labels, proxy.Locality, proxy.ClusterId, proxy.Workload?.Network ?? string.Empty);

    /// <summary>
    /// What of the proxy a prioritised assignment depends on, for cache keys: its locality, and the values of the labels
    /// <c>failoverPriority</c> compares (Istio keys its EDS cache the same way).
    /// </summary>
    public static string ProxyKey(ProxyNode proxy, LocalityLoadBalancerSetting? setting)
    {
        if (setting?.FailoverPriority is not { Count: > 0 } priorities || setting.Distribute is { Count: > 0 })
        {
            return proxy.Locality;
        }

        var labels = ProxyLabels(proxy);
        return proxy.Locality + "|" + string.Join(' ', priorities.Select(p => p + ":" + labels.GetValueOrDefault(p.Split('=')[0], string.Empty)));
    }
}
