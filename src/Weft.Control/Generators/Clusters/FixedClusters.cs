using Weft.Control.Model;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Control.Generators.Clusters;

/// <summary>Istio's clusters that every sidecar has: BlackHoleCluster, PassthroughCluster, InboundPassthroughCluster.</summary>
internal static class FixedClusters
{
    /// <summary>The address inbound passthrough connections come from, so the workload can tell them from its own traffic.</summary>
    public const string InboundPassthroughBindAddress = "127.0.0.6";

    public static Cluster BlackHole(MeshConfig mesh) => new()
    {
        Name = ResourceNames.BlackHoleCluster,
        Type = Cluster.Types.DiscoveryType.Static,
        ConnectTimeout = Envoy.Duration(mesh.ConnectTimeout),
    };

    public static Cluster Passthrough(MeshConfig mesh) => OriginalDestination(ResourceNames.PassthroughCluster, mesh);

    public static Cluster InboundPassthrough(MeshConfig mesh)
    {
        var cluster = OriginalDestination(ResourceNames.InboundPassthroughCluster, mesh);
        cluster.UpstreamBindConfig = new BindConfig { SourceAddress = new SocketAddress { Address = InboundPassthroughBindAddress, PortValue = 0 } };
        return cluster;
    }

    private static Cluster OriginalDestination(string name, MeshConfig mesh)
    {
        var cluster = new Cluster
        {
            Name = name,
            Type = Cluster.Types.DiscoveryType.OriginalDst,
            LbPolicy = Cluster.Types.LbPolicy.ClusterProvided,
            ConnectTimeout = Envoy.Duration(mesh.ConnectTimeout),
            CircuitBreakers = ClusterBuilder.DefaultCircuitBreakers(),
        };
        cluster.TypedExtensionProtocolOptions[ClusterBuilder.ProtocolOptionsKey] = Google.Protobuf.WellKnownTypes.Any.Pack(
            new Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions
            {
                CommonHttpProtocolOptions = new HttpProtocolOptions { IdleTimeout = Envoy.Duration(TimeSpan.FromMinutes(5)) },
                UseDownstreamProtocolConfig = new Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions.Types.UseDownstreamHttpConfig
                {
                    HttpProtocolOptions = new Http1ProtocolOptions(),
                    Http2ProtocolOptions = new Http2ProtocolOptions(),
                },
            });
        return cluster;
    }
}
