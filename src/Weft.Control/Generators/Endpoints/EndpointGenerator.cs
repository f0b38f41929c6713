using Weft.Control.Generators.Clusters;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;

namespace Weft.Control.Generators.Endpoints;

/// <summary>
/// EDS: a ClusterLoadAssignment for each outbound EDS cluster the proxy names. An assignment depends on the cluster and
/// the DestinationRule chosen for it, so proxies share it within a push; when locality load balancing re-weights or
/// prioritises it for the proxy (distribute, or failover with outlier detection), it also depends on the proxy's
/// locality (and the labels <c>failoverPriority</c> compares), and only then is that part of the cache key.
/// </summary>
public sealed class EndpointGenerator : IXdsGenerator
{
    public string TypeUrl => TypeUrls.ClusterLoadAssignment;

    /// <summary>Endpoints depend on the proxy's class only (locality, network and, when they matter, labels are in it).</summary>
    public ResourceSet GenerateSet(ProxyNode proxy, PushContext push, IReadOnlySet<string>? names) =>
        names is Xds.NameSet subscription
            ? push.Shared(TypeUrl, push.ClassOf(proxy), subscription, () => new ResourceSet(Generate(proxy, push, names)))
            : new ResourceSet(Generate(proxy, push, names));

    public IReadOnlyList<XdsResource> Generate(ProxyNode proxy, PushContext push, IReadOnlySet<string>? names)
    {
        var result = new List<XdsResource>();
        foreach (var name in (IEnumerable<string>?)names ?? [])
        {
            if (!ResourceNames.TryParseCluster(name, out var parsed) || parsed.Direction != Direction.Outbound)
            {
                continue;
            }

            var service = push.Service(parsed.Host, proxy.Namespace);
            var port = service?.Port(parsed.Port);
            if (service is null || port is null)
            {
                continue;
            }

            var rule = push.DestinationRule(proxy, service.Hostname, service);
            var subset = parsed.Subset.Length > 0 ? rule?.Subset(parsed.Subset) : null;
            if (parsed.Subset.Length > 0 && subset is null)
            {
                continue;
            }

            var policy = TrafficPolicies.MergeSubset(rule?.Spec.TrafficPolicy, subset?.TrafficPolicy, port.Number);
            var setting = LocalityLoadBalancing.Effective(push.Mesh, policy?.LoadBalancer);
            var proxyKey = LocalityLoadBalancing.DependsOnProxy(setting, policy?.OutlierDetection is not null)
                ? LocalityLoadBalancing.ProxyKey(proxy, setting)
                : null;
            result.Add(push.Cached((nameof(EndpointGenerator), name, service, rule?.Key, proxyKey), () =>
                new XdsResource(name, LoadAssignmentBuilder.Build(push, proxy, service, port, parsed.Subset, rule, name))));
        }

        return result;
    }
}
