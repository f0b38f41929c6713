using Google.Protobuf.WellKnownTypes;
using Weft.Api.Model.Networking;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.Upstreams.Http.V3;
using HttpProtocolOptions = Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// Builds Istio's outbound clusters for one service port: the default cluster <c>outbound|PORT||HOST</c> and one per
/// DestinationRule subset, with Istio's defaults and the DestinationRule's traffic policy applied (port-level settings and
/// subset policies merged as Istio merges them).
/// </summary>
internal static class ClusterBuilder
{
    /// <summary>Envoy's "no limit" for circuit-breaker thresholds, which Istio sets even without a DestinationRule.</summary>
    public const uint Unlimited = uint.MaxValue;

    /// <summary>The default cluster and the subset clusters of a service port, in that order.</summary>
    public static IEnumerable<Cluster> Outbound(ClusterContext context, MeshService service, Registry.ServicePort port)
    {
        var rule = context.Push.DestinationRule(context.Proxy, service.Hostname, service);
        var policy = TrafficPolicies.ForPort(rule?.Spec.TrafficPolicy, port.Number);
        yield return Build(context, service, port, subset: string.Empty, rule, policy);
        foreach (var subset in rule?.Spec.Subsets ?? [])
        {
            if (string.IsNullOrEmpty(subset.Name))
            {
                continue;
            }

            var merged = TrafficPolicies.MergeSubset(policy, subset.TrafficPolicy, port.Number);
            yield return Build(context, service, port, subset.Name, rule, merged);
        }
    }

    public static Cluster Build(ClusterContext context, MeshService service, Registry.ServicePort port, string subset, DestinationRuleView? rule, TrafficPolicy? policy)
    {
        var name = ResourceNames.OutboundCluster(port.Number, service.Hostname, subset);
        var cluster = new Cluster
        {
            Name = name,
            AltStatName = name + ResourceNames.StatPrefixDelimiter,
            ConnectTimeout = Envoy.Duration(context.Push.Mesh.ConnectTimeout),
        };

        if (context.Proxy.IsProxylessGrpc)
        {
            // gRPC's xDS client reads EDS clusters only, round robin unless told otherwise, and only max_requests.
            cluster.Type = Cluster.Types.DiscoveryType.Eds;
            cluster.EdsClusterConfig = new Cluster.Types.EdsClusterConfig { ServiceName = name, EdsConfig = Envoy.Ads() };
            cluster.ConnectTimeout = null;
            cluster.AltStatName = string.Empty;
            ClusterPolicy.ApplyProxyless(cluster, policy);
            return cluster;
        }

        switch (service.Resolution)
        {
            case Resolution.Static:
                cluster.Type = Cluster.Types.DiscoveryType.Eds;
                cluster.EdsClusterConfig = new Cluster.Types.EdsClusterConfig { ServiceName = name, EdsConfig = Envoy.AdsNoWait() };
                break;
            case Resolution.Dns or Resolution.DnsRoundRobin:
                cluster.Type = service.Resolution == Resolution.Dns ? Cluster.Types.DiscoveryType.StrictDns : Cluster.Types.DiscoveryType.LogicalDns;
                cluster.RespectDnsTtl = true;
                cluster.DnsRefreshRate = Envoy.Duration(TimeSpan.FromSeconds(60));
                cluster.DnsLookupFamily = Cluster.Types.DnsLookupFamily.V4Only;
                cluster.LoadAssignment = Endpoints.LoadAssignmentBuilder.Build(context.Push, service, port, subset, rule, name);
                break;
            case Resolution.Passthrough:
                cluster.Type = Cluster.Types.DiscoveryType.OriginalDst;
                cluster.LbPolicy = Cluster.Types.LbPolicy.ClusterProvided;
                break;
        }

        if (cluster.Type != Cluster.Types.DiscoveryType.OriginalDst)
        {
            cluster.LbPolicy = Cluster.Types.LbPolicy.LeastRequest;
        }

        cluster.CircuitBreakers = DefaultCircuitBreakers();
        cluster.Metadata = Metadata(service, rule, subset);
        if (port.Protocol.IsHttp2() || (port.Protocol.IsHttp() && context.Push.Mesh.H2Upgrade))
        {
            cluster.TypedExtensionProtocolOptions[ProtocolOptionsKey] = Any.Pack(new HttpProtocolOptions
            {
                ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig { Http2ProtocolOptions = new Http2ProtocolOptions() },
            });
        }
        else if (port.Protocol == Protocol.Unsupported)
        {
            cluster.TypedExtensionProtocolOptions[ProtocolOptionsKey] = Any.Pack(new HttpProtocolOptions
            {
                UseDownstreamProtocolConfig = new HttpProtocolOptions.Types.UseDownstreamHttpConfig
                {
                    HttpProtocolOptions = new Http1ProtocolOptions(),
                    Http2ProtocolOptions = new Http2ProtocolOptions(),
                },
            });
        }

        ClusterPolicy.Apply(context, cluster, service, port, policy);
        return cluster;
    }

    /// <summary>The key of HTTP protocol options in <c>typed_extension_protocol_options</c>.</summary>
    public const string ProtocolOptionsKey = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    public static CircuitBreakers DefaultCircuitBreakers() => new()
    {
        Thresholds =
        {
            new CircuitBreakers.Types.Thresholds
            {
                MaxConnections = Unlimited,
                MaxPendingRequests = Unlimited,
                MaxRequests = Unlimited,
                MaxRetries = Unlimited,
                TrackRemaining = true,
            },
        },
    };

    /// <summary>Istio's <c>filter_metadata.istio</c>: the services the cluster stands for, the rule and the subset.</summary>
    public static Metadata Metadata(MeshService service, DestinationRuleView? rule, string subset)
    {
        var istio = new Struct();
        istio.Fields["services"] = Value.ForList(Value.ForStruct(Envoy.Struct(
            ("host", Value.ForString(service.Hostname)),
            ("name", Value.ForString(ShortName(service))),
            ("namespace", Value.ForString(service.Namespace)))));
        if (rule is not null)
        {
            istio.Fields["config"] = Value.ForString(rule.ConfigPath);
        }

        if (subset.Length > 0)
        {
            istio.Fields["subset"] = Value.ForString(subset);
        }

        if (service.MeshExternal)
        {
            istio.Fields["external"] = Value.ForBool(true);
        }

        var metadata = new Metadata();
        metadata.FilterMetadata["istio"] = istio;
        return metadata;
    }

    private static string ShortName(MeshService service) =>
        service.Hostname.EndsWith($".{service.Namespace}.svc.{LocalRegistry.ClusterDomain}", StringComparison.Ordinal)
            ? service.Hostname[..service.Hostname.IndexOf('.', StringComparison.Ordinal)]
            : service.Hostname;
}
