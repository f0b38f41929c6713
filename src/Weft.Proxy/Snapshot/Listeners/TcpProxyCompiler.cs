using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;

namespace Weft.Proxy.Snapshot.Listeners;

/// <summary>
/// Compiles a <c>tcp_proxy</c> filter. Served: <c>cluster</c> or <c>weighted_clusters</c>, <c>idle_timeout</c>,
/// <c>max_connect_attempts</c>, <c>max_downstream_connection_duration</c> and file access logs (a line per connection at
/// its close). Accepted and not applied: hash policies (the cluster's balancer picks), the access log options (periodic
/// flushes) and the backoff between connect attempts. Refused, with the field named:
/// whatever would change where or how bytes flow and cannot be honoured (HTTP tunnelling, on-demand clusters, subset
/// metadata, other connect modes, the split idle timeouts).
/// </summary>
internal static class TcpProxyCompiler
{
    public static TcpProxyModel Compile(TcpProxy proxy)
    {
        if (proxy.StatPrefix.Length == 0)
        {
            throw new XdsRejectedException("the TCP proxy has no stat_prefix");
        }

        Refuse(proxy.TunnelingConfig is not null, "tunneling_config (TCP over HTTP CONNECT or POST)");
        Refuse(proxy.OnDemand is not null, "on_demand (clusters discovered on demand)");
        Refuse(proxy.MetadataMatch is not null, "metadata_match (subset load balancing)");
        Refuse(proxy.UpstreamConnectMode != UpstreamConnectMode.Immediate, $"upstream_connect_mode {proxy.UpstreamConnectMode}");
        Refuse(proxy.MaxEarlyDataBytes is not null, "max_early_data_bytes");
        Refuse(proxy.DownstreamIdleTimeout is not null || proxy.UpstreamIdleTimeout is not null, "downstream_idle_timeout and upstream_idle_timeout (idle_timeout is)");
        Refuse(proxy.MaxDownstreamConnectionDurationJitterPercentage is not null, "max_downstream_connection_duration_jitter_percentage");

        var clusters = proxy.ClusterSpecifierCase switch
        {
            TcpProxy.ClusterSpecifierOneofCase.Cluster when proxy.Cluster.Length > 0 => [new TcpClusterWeight(proxy.Cluster, 1)],
            TcpProxy.ClusterSpecifierOneofCase.WeightedClusters => Weighted(proxy.WeightedClusters),
            _ => throw new XdsRejectedException("the TCP proxy names no cluster"),
        };

        var idle = proxy.IdleTimeout is { } timeout
            ? (timeout.ToTimeSpan() == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : timeout.ToTimeSpan())
            : TcpProxyModel.DefaultIdleTimeout;
        var attempts = proxy.MaxConnectAttempts ?? 1;
        if (attempts < 1)
        {
            throw new XdsRejectedException("max_connect_attempts must be at least 1");
        }

        return new TcpProxyModel
        {
            AccessLogs = ListenerCompiler.AccessLogs(proxy.AccessLog),
            StatPrefix = proxy.StatPrefix,
            Clusters = clusters,
            IdleTimeout = idle,
            MaxConnectAttempts = (int)Math.Min(attempts, 100),
            MaxConnectionDuration = proxy.MaxDownstreamConnectionDuration is { } duration && duration.ToTimeSpan() > TimeSpan.Zero ? duration.ToTimeSpan() : null,
        };
    }

    private static TcpClusterWeight[] Weighted(TcpProxy.Types.WeightedCluster weighted)
    {
        if (weighted.Clusters.Count == 0)
        {
            throw new XdsRejectedException("weighted_clusters lists no cluster");
        }

        return weighted.Clusters.Select(c =>
        {
            if (c.Name.Length == 0)
            {
                throw new XdsRejectedException("a weighted cluster has no name");
            }

            if (c.Weight == 0)
            {
                throw new XdsRejectedException($"the weighted cluster {c.Name} has weight 0 (at least 1)");
            }

            Refuse(c.MetadataMatch is not null, $"metadata_match on the weighted cluster {c.Name} (subset load balancing)");
            return new TcpClusterWeight(c.Name, c.Weight);
        }).ToArray();
    }

    private static void Refuse(bool present, string what)
    {
        if (present)
        {
            throw new XdsRejectedException($"the TCP proxy's {what} is not supported");
        }
    }
}
