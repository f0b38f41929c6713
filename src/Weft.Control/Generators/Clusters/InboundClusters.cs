using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// The inbound clusters of a sidecar, <c>inbound|TARGETPORT||</c>, one per port its workload serves for some service.
/// With Istio's default inbound policy (PASSTHROUGH) they send to the address the connection was made to, from 127.0.0.6;
/// with LOCALHOST they send to 127.0.0.1.
/// </summary>
internal static class InboundClusters
{
    public static IEnumerable<Cluster> Build(ProxyNode proxy, PushContext push)
    {
        var seen = new HashSet<int>();
        foreach (var endpoint in InboundEndpoints.For(proxy, push))
        {
            if (endpoint.Port == 0 || !seen.Add(endpoint.Port))
            {
                continue;
            }

            yield return Cluster(endpoint.Port, push.Mesh);
        }
    }

    public static Cluster Cluster(int port, MeshConfig mesh)
    {
        var name = ResourceNames.InboundCluster(port);
        var cluster = new Cluster
        {
            Name = name,
            AltStatName = name + ResourceNames.StatPrefixDelimiter,
            ConnectTimeout = Envoy.Duration(mesh.ConnectTimeout),
            CircuitBreakers = ClusterBuilder.DefaultCircuitBreakers(),
        };
        if (mesh.InboundToLocalhost)
        {
            cluster.Type = Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.Static;
            cluster.LoadAssignment = new Weft.Xds.Envoy.Config.Endpoint.V3.ClusterLoadAssignment
            {
                ClusterName = name,
                Endpoints =
                {
                    new Weft.Xds.Envoy.Config.Endpoint.V3.LocalityLbEndpoints
                    {
                        LbEndpoints = { new Weft.Xds.Envoy.Config.Endpoint.V3.LbEndpoint { Endpoint = new Weft.Xds.Envoy.Config.Endpoint.V3.Endpoint { Address = Envoy.SocketAddress("127.0.0.1", port) } } },
                    },
                },
            };
        }
        else
        {
            cluster.Type = Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.OriginalDst;
            cluster.LbPolicy = Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.ClusterProvided;
            cluster.UpstreamBindConfig = new BindConfig { SourceAddress = new SocketAddress { Address = FixedClusters.InboundPassthroughBindAddress, PortValue = 0 } };
        }

        return cluster;
    }
}
