using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// CDS. Sidecars and gateways get a cluster per visible service port and DestinationRule subset, plus Istio's fixed
/// clusters; sidecars also get an inbound cluster per port their workload serves. Proxyless gRPC clients get exactly the
/// clusters they name.
/// </summary>
public sealed class ClusterGenerator : IXdsGenerator
{
    public string TypeUrl => TypeUrls.Cluster;

    public IReadOnlyList<XdsResource> Generate(ProxyNode proxy, PushContext push, IReadOnlySet<string>? names)
    {
        if (proxy.IsProxylessGrpc)
        {
            return Proxyless(proxy, push, names);
        }

        var result = Outbound(proxy, push).Concat(Own(proxy, push));
        return names is null ? result.ToArray() : result.Where(r => names.Contains(r.Name)).ToArray();
    }

    /// <summary>
    /// For pushes: the outbound and fixed clusters are shared by the proxy's class; a sidecar's inbound clusters are its
    /// own.
    /// </summary>
    public ResourceSet GenerateSet(ProxyNode proxy, PushContext push, IReadOnlySet<string>? names)
    {
        if (proxy.IsProxylessGrpc)
        {
            return names is Xds.NameSet subscription
                ? push.Shared(TypeUrl, push.ClassOf(proxy), subscription, () => new ResourceSet(Proxyless(proxy, push, names)))
                : new ResourceSet(Proxyless(proxy, push, names));
        }

        if (names is not null)
        {
            return new ResourceSet(Generate(proxy, push, names));
        }

        var shared = push.Shared(TypeUrl, push.ClassOf(proxy), null, () => new ResourceSet(Outbound(proxy, push).ToArray()));
        var own = Own(proxy, push).ToArray();
        return own.Length == 0 ? shared : ResourceSet.Concat(shared, new ResourceSet(own));
    }

    private static XdsResource[] Proxyless(ProxyNode proxy, PushContext push, IReadOnlySet<string>? names)
    {
        var context = new ClusterContext(proxy, push);
        return (names ?? new HashSet<string>()).Order(StringComparer.Ordinal)
            .Select(name => Named(context, name))
            .OfType<XdsResource>()
            .ToArray();
    }

    /// <summary>A cluster per visible service port and subset, then Istio's fixed clusters.</summary>
    private static IEnumerable<XdsResource> Outbound(ProxyNode proxy, PushContext push)
    {
        var context = new ClusterContext(proxy, push);
        foreach (var service in push.ServicesFor(proxy))
        {
            foreach (var port in service.Ports)
            {
                if (port.Protocol == Protocol.Udp)
                {
                    continue;
                }

                var key = (nameof(ClusterGenerator), service, port, push.DestinationRule(proxy, service.Hostname, service)?.Key, proxy.Type, ProxyKey(proxy, service));
                foreach (var cluster in push.Cached(key, () => ClusterBuilder.Outbound(context, service, port).Select(c => new XdsResource(c.Name, c)).ToArray()))
                {
                    yield return cluster;
                }
            }
        }

        yield return push.Cached("BlackHoleCluster", () => new XdsResource(ResourceNames.BlackHoleCluster, FixedClusters.BlackHole(push.Mesh)));
        if (proxy.Type == ProxyType.Sidecar)
        {
            yield return push.Cached("PassthroughCluster", () => new XdsResource(ResourceNames.PassthroughCluster, FixedClusters.Passthrough(push.Mesh)));
            yield return push.Cached("InboundPassthroughCluster", () => new XdsResource(ResourceNames.InboundPassthroughCluster, FixedClusters.InboundPassthrough(push.Mesh)));
        }
    }

    /// <summary>A sidecar's inbound clusters, one per port its workload serves.</summary>
    private static IEnumerable<XdsResource> Own(ProxyNode proxy, PushContext push) =>
        proxy.Type == ProxyType.Sidecar ? InboundClusters.Build(proxy, push).Select(c => new XdsResource(c.Name, c)) : [];

    private static XdsResource? Named(ClusterContext context, string name)
    {
        if (!ResourceNames.TryParseCluster(name, out var parsed) || parsed.Direction != Direction.Outbound)
        {
            return null;
        }

        var service = context.Push.Service(parsed.Host, context.Proxy.Namespace);
        var port = service?.Port(parsed.Port);
        if (service is null || port is null)
        {
            return null;
        }

        var rule = context.Push.DestinationRule(context.Proxy, service.Hostname, service);
        if (parsed.Subset.Length > 0 && rule?.Subset(parsed.Subset) is null)
        {
            return null;
        }

        var policy = TrafficPolicies.ForPort(rule?.Spec.TrafficPolicy, port.Number);
        if (parsed.Subset.Length > 0)
        {
            policy = TrafficPolicies.MergeSubset(policy, rule!.Subset(parsed.Subset)!.TrafficPolicy, port.Number);
        }

        var cluster = ClusterBuilder.Build(context, service, port, parsed.Subset, rule, policy);
        return cluster is null ? null : new XdsResource(cluster.Name, cluster);
    }

    /// <summary>
    /// DNS clusters carry their endpoints, which locality load balancing may re-weight or prioritise for the proxy, so
    /// their cache entries are per proxy locality and labels; other clusters do not depend on them.
    /// </summary>
    private static string? ProxyKey(ProxyNode proxy, MeshService service) =>
        service.Resolution is Resolution.Dns or Resolution.DnsRoundRobin
            ? proxy.Locality + "|" + string.Join(',', proxy.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)) + "|" + proxy.ClusterId + "|" + proxy.Workload?.Network
            : null;
}
