using Google.Protobuf.WellKnownTypes;
using Weft.Xds;

namespace Weft.Proxy.Snapshot.Listeners;

/// <summary>
/// What a connection manager's Istio peer metadata filter asks of the <c>x-envoy-peer-metadata</c> headers (its
/// <c>istio_headers</c> methods; workload discovery has no source here): read and strip the client's from the request,
/// answer with this proxy's, send this proxy's upstream, read and strip the upstream's from the response.
/// </summary>
internal sealed record PeerHeaderExchange(bool DiscoverDownstream, bool AnswerDownstream, bool DiscoverUpstream, bool SendUpstream, bool SkipExternalClusters)
{
    public static PeerHeaderExchange Compile(Struct? config) => new(
        MetadataExchangeFilters.ListsIstioHeaders(config, MetadataExchangeFilters.DownstreamDiscovery),
        MetadataExchangeFilters.ListsIstioHeaders(config, MetadataExchangeFilters.DownstreamPropagation),
        MetadataExchangeFilters.ListsIstioHeaders(config, MetadataExchangeFilters.UpstreamDiscovery),
        MetadataExchangeFilters.ListsIstioHeaders(config, MetadataExchangeFilters.UpstreamPropagation),
        MetadataExchangeFilters.SkipsExternalClusters(config));

    /// <summary>
    /// Whether this proxy's headers stay off a request to <paramref name="cluster"/>: Istio's <c>disable_mx</c> always
    /// keeps them off; under <see cref="SkipExternalClusters"/> so do an <c>external</c> cluster and PassthroughCluster.
    /// </summary>
    public bool Withholds(Clusters.ClusterModel cluster) =>
        cluster.MetadataExchangeDisabled
        || (SkipExternalClusters && (cluster.External || cluster.Name == "PassthroughCluster"));
}
