using Weft.Control.Generators;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// The endpoints a cluster would send to: an EDS cluster's load assignment (by its <c>service_name</c>), the inline load
/// assignment of STATIC and DNS clusters, or the call's original destination for ORIGINAL_DST clusters.
/// </summary>
internal static class EndpointLookup
{
    public static IReadOnlyList<string> For(Cluster cluster, ProxyResources resources, Call call)
    {
        ClusterLoadAssignment? assignment;
        switch (cluster.Type)
        {
            case Cluster.Types.DiscoveryType.OriginalDst:
                return [$"{call.Address}:{call.Port}"];
            case Cluster.Types.DiscoveryType.Eds:
                var name = cluster.EdsClusterConfig?.ServiceName is { Length: > 0 } serviceName ? serviceName : cluster.Name;
                assignment = resources.Endpoints.Select(e => (ClusterLoadAssignment)e.Message).FirstOrDefault(e => e.ClusterName == name);
                break;
            default:
                assignment = cluster.LoadAssignment;
                break;
        }

        return assignment?.Endpoints.SelectMany(l => l.LbEndpoints)
            .Select(e => e.Endpoint?.Address is { } address
                ? address.SocketAddress is { } socket ? $"{socket.Address}:{socket.PortValue}" : address.Pipe?.Path ?? string.Empty
                : string.Empty)
            .ToArray() ?? [];
    }
}
