using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Weft.Xds.Tests;

/// <summary>The outbound peer metadata filter's configs, as istiod writes them: the default and the one that skips external clusters.</summary>
public sealed class MetadataExchangeFiltersTests
{
    [Fact]
    public void Outbound_config_propagates_istio_headers_to_every_upstream_by_default()
    {
        var (type, config) = MetadataExchangeFilters.Unwrap(MetadataExchangeFilters.HttpOutbound());

        Assert.Equal(TypeUrls.PeerMetadata, type);
        Assert.Equal("""{"upstream_discovery":[{"istio_headers":{}},{"workload_discovery":{}}],"upstream_propagation":[{"istio_headers":{}}]}""", Json(config!));
        Assert.Equal(MetadataExchangeFilters.HttpOutbound().ToByteString(), MetadataExchangeFilters.HttpOutbound(skipExternalClusters: false).ToByteString());
    }

    [Fact]
    public void Outbound_config_skipping_external_clusters_sets_it_on_the_istio_headers_propagation()
    {
        var (type, config) = MetadataExchangeFilters.Unwrap(MetadataExchangeFilters.HttpOutbound(skipExternalClusters: true));

        Assert.Equal(TypeUrls.PeerMetadata, type);
        Assert.Equal(
            """{"upstream_discovery":[{"istio_headers":{}},{"workload_discovery":{}}],"upstream_propagation":[{"istio_headers":{"skip_external_clusters":true}}]}""",
            Json(config!));
    }

    private static string Json(Struct config) => JsonFormatter.Default.Format(config).Replace(" ", string.Empty, StringComparison.Ordinal);
}
