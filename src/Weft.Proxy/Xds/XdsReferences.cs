using Google.Protobuf;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Filter = Weft.Xds.Envoy.Config.Listener.V3.Filter;

namespace Weft.Proxy.Xds;

/// <summary>
/// The names one type's resources make the proxy subscribe to in another: EDS clusters name their assignments, HTTP
/// connection managers name their route configurations. These drive the follow-up subscriptions Envoy makes.
/// </summary>
internal static class XdsReferences
{
    /// <summary>The assignments EDS clusters wait for: <c>eds_cluster_config.service_name</c>, else the cluster's name.</summary>
    public static SortedSet<string> EdsNames(IEnumerable<IMessage> clusters)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var cluster in clusters.OfType<Cluster>())
        {
            if (cluster.ClusterDiscoveryTypeCase == Cluster.ClusterDiscoveryTypeOneofCase.Type && cluster.Type == Cluster.Types.DiscoveryType.Eds)
            {
                names.Add(cluster.EdsClusterConfig?.ServiceName is { Length: > 0 } service ? service : cluster.Name);
            }
        }

        return names;
    }

    /// <summary>The route configurations the listeners' HTTP connection managers load by RDS.</summary>
    public static SortedSet<string> RdsNames(IEnumerable<IMessage> listeners)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var listener in listeners.OfType<Listener>())
        {
            foreach (var chain in listener.FilterChains.Append(listener.DefaultFilterChain))
            {
                foreach (var filter in chain?.Filters ?? [])
                {
                    if (ConnectionManager(filter) is { RouteSpecifierCase: HttpConnectionManager.RouteSpecifierOneofCase.Rds } hcm)
                    {
                        names.Add(hcm.Rds.RouteConfigName);
                    }
                }
            }
        }

        return names;
    }

    /// <summary>The connection manager a network filter holds, or null (another filter, or one that does not decode).</summary>
    public static HttpConnectionManager? ConnectionManager(Filter filter)
    {
        if (filter.TypedConfig is not { TypeUrl: TypeUrls.HttpConnectionManager } any)
        {
            return null;
        }

        try
        {
            return any.Unpack<HttpConnectionManager>();
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
