using Google.Protobuf.WellKnownTypes;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;

namespace Weft.Control.Generators.Endpoints;

/// <summary>
/// Builds a ClusterLoadAssignment as Istio's endpoint builder does: the service port's endpoints (filtered by the subset's
/// labels), grouped by locality (sorted), each locality weighted by the sum of its endpoints' weights (default 1 each),
/// with Istio's endpoint metadata (<c>tlsMode</c> for transport-socket matching, <c>istio.workload</c> for telemetry).
/// </summary>
internal static class LoadAssignmentBuilder
{
    /// <summary>The cluster id of local-mode workloads (Istio's default for its own cluster).</summary>
    public const string ClusterId = "Kubernetes";

    public static ClusterLoadAssignment Build(PushContext push, MeshService service, Registry.ServicePort port, string subset, DestinationRuleView? rule, string clusterName)
    {
        var selector = subset.Length == 0 ? null : rule?.Subset(subset)?.Labels;
        var assignment = new ClusterLoadAssignment { ClusterName = clusterName };
        var groups = push.Endpoints(service, port.Number)
            .Where(e => selector is null || e.Workload.Matches(selector))
            .GroupBy(e => e.Workload.Locality, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var locality = new LocalityLbEndpoints { Locality = ParseLocality(group.Key) };
            ulong total = 0;
            foreach (var endpoint in group)
            {
                var weight = endpoint.Workload.Weight > 0 ? (uint)endpoint.Workload.Weight : 1u;
                total += weight;
                locality.LbEndpoints.Add(new LbEndpoint
                {
                    Endpoint = new Endpoint { Address = Envoy.EndpointAddress(endpoint.Workload.Address, endpoint.Port) },
                    HealthStatus = HealthStatus.Healthy,
                    LoadBalancingWeight = weight,
                    Metadata = EndpointMetadata(endpoint),
                });
            }

            locality.LoadBalancingWeight = (uint)Math.Min(total, uint.MaxValue);
            assignment.Endpoints.Add(locality);
        }

        return assignment;
    }

    public static Locality ParseLocality(string locality)
    {
        var parts = locality.Split('/');
        return new Locality
        {
            Region = parts.Length > 0 ? parts[0] : string.Empty,
            Zone = parts.Length > 1 ? parts[1] : string.Empty,
            SubZone = parts.Length > 2 ? parts[2] : string.Empty,
        };
    }

    private static Metadata EndpointMetadata(ServiceEndpoint endpoint)
    {
        var metadata = new Metadata();
        var workload = endpoint.Workload;
        if (workload.TlsMode == "istio")
        {
            metadata.FilterMetadata["envoy.transport_socket_match"] = Envoy.Struct(("tlsMode", Value.ForString("istio")));
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
