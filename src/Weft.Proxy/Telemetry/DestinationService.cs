namespace Weft.Proxy.Telemetry;

/// <summary>
/// <c>destination_service</c>, <c>destination_service_name</c> and the namespace fallback as Istio derives them: from the
/// cluster's service metadata; on the client side, else from the Host the request named; Istio's own fixed routes and
/// clusters report their names (<c>allow_any</c> → PassthroughCluster, <c>block_all</c> → BlackHoleCluster).
/// </summary>
internal static class DestinationService
{
    private static readonly HashSet<string> FixedClusters = new(StringComparer.Ordinal)
    {
        "BlackHoleCluster", "PassthroughCluster", "InboundPassthroughCluster", "InboundPassthroughClusterIpv4", "InboundPassthroughClusterIpv6",
    };

    /// <param name="hostHeader">The request's Host on the client side; empty on the server side (Istio does not fall back to it there).</param>
    public static (string Host, string Name, string Namespace) Of(string route, string cluster, ServiceMetadata? service, string hostHeader)
    {
        var host = service?.Host is { Length: > 0 } h ? h : hostHeader;
        var name = route switch
        {
            "block_all" => "BlackHoleCluster",
            "allow_any" => "PassthroughCluster",
            _ when FixedClusters.Contains(cluster) => cluster,
            _ => service?.Name ?? hostHeader,
        };
        return (host, name, service?.Namespace ?? string.Empty);
    }
}
