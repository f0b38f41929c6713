using Weft.Control.Generators.Endpoints;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using TrafficPolicy = Weft.Api.Model.Networking.TrafficPolicy;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// Builds Istio's outbound clusters for one service port: the default cluster <c>outbound|PORT||HOST</c> and one per
/// DestinationRule subset, in Istio's order (core/cluster.go, cluster_builder.go): discovery type and endpoints, the
/// protocol the port implies, then the merged traffic policy, then EDS config, metadata and the metadata exchange
/// filter. Proxyless gRPC clients get <see cref="ProxylessClusters"/> instead.
/// </summary>
internal static class ClusterBuilder
{
    /// <summary>Envoy's "no limit" for circuit-breaker thresholds, which Istio sets even without a DestinationRule.</summary>
    public const uint Unlimited = ConnectionPools.Unlimited;

    /// <summary>The key of HTTP protocol options in <c>typed_extension_protocol_options</c>.</summary>
    public const string ProtocolOptionsKey = ClusterDraft.ProtocolOptionsKey;

    private static readonly TimeSpan DnsRefreshRate = TimeSpan.FromSeconds(60);

    /// <summary>The default cluster and the subset clusters of a service port, in that order; DNS clusters without endpoints are left out.</summary>
    public static IEnumerable<Cluster> Outbound(ClusterContext context, MeshService service, ServicePort port)
    {
        var rule = context.Push.DestinationRule(context.Proxy, service.Hostname, service);
        var policy = TrafficPolicies.ForPort(rule?.Spec.TrafficPolicy, port.Number);
        if (Build(context, service, port, subset: string.Empty, rule, policy) is { } main)
        {
            yield return main;
        }

        foreach (var subset in rule?.Spec.Subsets ?? [])
        {
            if (string.IsNullOrEmpty(subset.Name))
            {
                continue;
            }

            var merged = TrafficPolicies.MergeSubset(policy, subset.TrafficPolicy, port.Number);
            if (Build(context, service, port, subset.Name, rule, merged) is { } cluster)
            {
                yield return cluster;
            }
        }
    }

    /// <summary>One cluster with its merged policy; null when Istio would not build it (a DNS cluster with no endpoints).</summary>
    public static Cluster? Build(ClusterContext context, MeshService service, ServicePort port, string subset, DestinationRuleView? rule, TrafficPolicy? policy)
    {
        if (context.Proxy.IsProxylessGrpc)
        {
            return ProxylessClusters.Build(context, service, port, subset, policy);
        }

        var name = ResourceNames.OutboundCluster(port.Number, service.Hostname, subset);
        var ownPolicy = subset.Length > 0 ? rule?.Subset(subset)?.TrafficPolicy : rule?.Spec.TrafficPolicy;
        var cluster = new Cluster
        {
            Name = name,
            Type = DiscoveryType(context.Proxy.Type, service, subset.Length > 0 ? ownPolicy : null),
            CommonLbConfig = new Cluster.Types.CommonLbConfig(),
            AltStatName = ResourceNames.AltStatName(name),
        };

        IReadOnlyList<LocalityGroup> inline = [];
        switch (cluster.Type)
        {
            case Cluster.Types.DiscoveryType.StrictDns or Cluster.Types.DiscoveryType.LogicalDns:
                cluster.DnsLookupFamily = Cluster.Types.DnsLookupFamily.V4Only;
                cluster.DnsRefreshRate = Envoy.Duration(DnsRefreshRate);
                cluster.RespectDnsTtl = true;
                inline = LoadAssignmentBuilder.Groups(context.Push, service, port, subset, rule, inline: true);
                if (inline.Count == 0)
                {
                    return null;
                }

                cluster.LoadAssignment = LoadAssignmentBuilder.Assignment(name, inline);
                break;
            case Cluster.Types.DiscoveryType.OriginalDst when port.TargetPort > 0 && service.Origin.Kind == "ServiceEntry":
                // A ServiceEntry's targetPort still applies when the address is the caller's.
                cluster.OriginalDstLbConfig = new Cluster.Types.OriginalDstLbConfig { UpstreamPortOverride = (uint)port.TargetPort };
                break;
        }

        var draft = new ClusterDraft(cluster);
        UpstreamProtocols.ApplyPort(draft, port, context.Proxy.Type);
        var sni = ResourceNames.Sni(port.Number, service.Hostname, subset);
        var target = new TlsTarget(
            sni,
            ServiceIdentities.For(context.Push, service),
            service.MeshExternal,
            service.Origin.Kind == "ServiceEntry",
            PeerAuthenticationModes.ForService(context.Push, service, port.Number, ownPolicy),
            rule?.Spec.WorkloadSelector is not null);
        ClusterPolicy.Apply(context, draft, port, policy, target, inline);

        if (cluster.Type == Cluster.Types.DiscoveryType.Eds)
        {
            cluster.EdsClusterConfig = new Cluster.Types.EdsClusterConfig { ServiceName = name, EdsConfig = Envoy.AdsNoWait() };
        }

        cluster.Metadata = ClusterMetadata.For(service, rule, subset, policy?.Tls?.Mode);
        cluster.Filters.Add(MetadataExchange());
        return draft.Finish();
    }

    public static CircuitBreakers DefaultCircuitBreakers() => ConnectionPools.DefaultCircuitBreakers();

    /// <summary>
    /// Istio's convertResolution: STATIC and Kubernetes services are EDS, DNS is STRICT_DNS, DNS_ROUND_ROBIN LOGICAL_DNS;
    /// NONE and headless services connect to the original destination on sidecars but use EDS on gateways, which have no
    /// original destination. A subset whose own load balancer is PASSTHROUGH is ORIGINAL_DST whatever the service.
    /// </summary>
    private static Cluster.Types.DiscoveryType DiscoveryType(ProxyType proxyType, MeshService service, TrafficPolicy? subsetPolicy)
    {
        if (subsetPolicy?.LoadBalancer?.Simple == "PASSTHROUGH")
        {
            return Cluster.Types.DiscoveryType.OriginalDst;
        }

        return service.Resolution switch
        {
            Resolution.Dns => Cluster.Types.DiscoveryType.StrictDns,
            Resolution.DnsRoundRobin => Cluster.Types.DiscoveryType.LogicalDns,
            Resolution.Passthrough when proxyType != ProxyType.Router => Cluster.Types.DiscoveryType.OriginalDst,
            _ => Cluster.Types.DiscoveryType.Eds,
        };
    }

    /// <summary>
    /// Istio's TCP metadata exchange as an upstream filter, on every outbound service cluster of sidecars and gateways:
    /// the client end of the exchange the server sidecar's inbound chain runs, so each learns the other's workload
    /// when the mTLS connection negotiates <see cref="MetadataExchangeFilters.Protocol"/>.
    /// </summary>
    private static Filter MetadataExchange() => new() { Name = MetadataExchangeFilters.FilterName, TypedConfig = MetadataExchangeFilters.Tcp() };
}
