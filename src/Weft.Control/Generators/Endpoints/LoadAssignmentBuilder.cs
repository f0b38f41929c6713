using System.Net;
using Google.Protobuf.WellKnownTypes;
using Weft.Control.Generators.Clusters;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;

namespace Weft.Control.Generators.Endpoints;

/// <summary>
/// Builds a ClusterLoadAssignment as Istio's endpoint builder does: the service port's endpoints (filtered by the subset's
/// labels), grouped by locality (sorted), each locality weighted by the sum of its endpoints' weights (default 1 each),
/// with Istio's endpoint metadata (<c>tlsMode</c> for transport-socket matching, <c>istio.workload</c> for telemetry),
/// then re-weighted or prioritised for the proxy by the locality load-balancing setting in force.
/// </summary>
internal static class LoadAssignmentBuilder
{
    /// <summary>The cluster id of local-mode workloads (Istio's default for its own cluster).</summary>
    public const string ClusterId = "Kubernetes";

    private const string TransportSocketMatchKey = "envoy.transport_socket_match";
    private const string IstioMutual = "istio";

    /// <summary>The assignment an EDS cluster gets, as seen by <paramref name="proxy"/>.</summary>
    public static ClusterLoadAssignment Build(PushContext push, ProxyNode proxy, MeshService service, ServicePort port, string subset, DestinationRuleView? rule, string clusterName)
    {
        var groups = Groups(push, service, port, subset, rule, inline: false);
        var assignment = Assignment(clusterName, groups);
        var policy = TrafficPolicies.MergeSubset(rule?.Spec.TrafficPolicy, subset.Length > 0 ? rule?.Subset(subset)?.TrafficPolicy : null, port.Number);
        if (LocalityLoadBalancing.Effective(push.Mesh, policy?.LoadBalancer) is { } setting)
        {
            LocalityLoadBalancing.ApplyToAssignment(assignment, groups, proxy, setting, policy?.OutlierDetection is not null);
        }

        return assignment;
    }

    public static ClusterLoadAssignment Assignment(string clusterName, IReadOnlyList<LocalityGroup> groups)
    {
        var assignment = new ClusterLoadAssignment { ClusterName = clusterName };
        assignment.Endpoints.AddRange(groups.Select(g => g.Endpoints));
        return assignment;
    }

    /// <summary>
    /// The endpoints by locality, localities sorted. EDS (<paramref name="inline"/> false) only sends IP and unix-socket
    /// endpoints; DNS clusters inline host names for Envoy to resolve.
    /// </summary>
    public static IReadOnlyList<LocalityGroup> Groups(PushContext push, MeshService service, ServicePort port, string subset, DestinationRuleView? rule, bool inline)
    {
        var selector = subset.Length == 0 ? null : rule?.Subset(subset)?.Labels;
        var ruleTlsMode = EndpointTlsModes.ForRule(rule?.Spec, subset, port.Number);
        var groups = push.Endpoints(service, port.Number)
            .Where(e => selector is null || e.Workload.Matches(selector))
            .Where(e => inline || e.Port == 0 || IPAddress.TryParse(e.Workload.Address, out _))
            .GroupBy(e => e.Workload.Locality, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        var result = new List<LocalityGroup>();
        foreach (var group in groups)
        {
            var locality = new LocalityLbEndpoints { Locality = Localities.Parse(group.Key) };
            var labels = new List<IReadOnlyDictionary<string, string>>();
            uint total = 0;
            foreach (var endpoint in group)
            {
                var workload = endpoint.Workload;
                var weight = workload.Weight > 0 ? (uint)workload.Weight : 1u;
                total = total > uint.MaxValue - weight ? uint.MaxValue : total + weight;
                locality.LbEndpoints.Add(new LbEndpoint
                {
                    Endpoint = new Endpoint { Address = Envoy.EndpointAddress(workload.Address, endpoint.Port) },
                    HealthStatus = HealthStatus.Healthy,
                    LoadBalancingWeight = weight,
                    Metadata = EndpointMetadata(push, endpoint, ruleTlsMode),
                });
                labels.Add(TopologyLabels.Augment(workload.Labels, workload.Locality, ClusterId, workload.Network));
            }

            locality.LoadBalancingWeight = total;
            result.Add(new LocalityGroup(locality, labels));
        }

        return result;
    }

    /// <summary>
    /// Whether Envoy should use mTLS to the endpoint (Istio's mtlsChecker): the DestinationRule's TLS mode decides when it
    /// sets one (only ISTIO_MUTUAL means yes); otherwise the endpoint must run a sidecar and not have mTLS disabled by a
    /// PeerAuthentication for its port.
    /// </summary>
    private static bool IsMutualTls(PushContext push, ServiceEndpoint endpoint, string? ruleTlsMode)
    {
        if (ruleTlsMode is not null)
        {
            return ruleTlsMode == "ISTIO_MUTUAL";
        }

        var workload = endpoint.Workload;
        return workload.TlsMode == IstioMutual
            && PeerAuthenticationModes.ForWorkload(push, workload.Namespace, workload.Labels, endpoint.Port) != MutualTlsMode.Disable;
    }

    private static Metadata EndpointMetadata(PushContext push, ServiceEndpoint endpoint, string? ruleTlsMode)
    {
        var metadata = new Metadata();
        var workload = endpoint.Workload;
        if (IsMutualTls(push, endpoint, ruleTlsMode))
        {
            metadata.FilterMetadata[TransportSocketMatchKey] = Envoy.Struct(("tlsMode", Value.ForString(IstioMutual)));
        }

        var name = workload.Name.Length > 0 ? workload.Name : endpoint.Service.Hostname;
        var canonical = Label(workload, "service.istio.io/canonical-name", "app.kubernetes.io/name", "app") ?? name;
        var revision = Label(workload, "service.istio.io/canonical-revision", "app.kubernetes.io/version", "version") ?? string.Empty;
        metadata.FilterMetadata["istio"] = Envoy.Struct(("workload", Value.ForString($"{name};{workload.Namespace};{canonical};{revision};{ClusterId}")));
        return metadata;
    }

    private static string? Label(Workload workload, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (workload.Labels.TryGetValue(key, out var value) && value.Length > 0)
            {
                return value;
            }
        }

        return null;
    }
}
