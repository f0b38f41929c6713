using Weft.Proxy.Snapshot.Filters;

namespace Weft.Proxy.Snapshot.Routes;

/// <summary>
/// A compiled route configuration: virtual hosts by domain, configuration-wide header edits, and how Host is matched
/// (<c>ignore_port_in_host_matching</c>, <c>vhost_header</c>).
/// </summary>
internal sealed record RouteTable(
    string Name,
    VirtualHostIndex Hosts,
    IReadOnlyList<VirtualHostEntry> VirtualHosts,
    HeaderMutation Request,
    HeaderMutation Response,
    IReadOnlyList<string> InternalOnlyHeaders,
    bool MostSpecificHeaderMutationsWins,
    bool IgnorePortInHostMatching,
    string? VirtualHostHeader)
{
    /// <summary>The route configuration's <c>typed_per_filter_config</c>.</summary>
    public FilterOverrides Filters { get; init; } = FilterOverrides.None;

    /// <summary>The mirror policies of routes whose route and virtual host set none.</summary>
    public IReadOnlyList<MirrorPolicy> Mirrors { get; init; } = [];

    /// <summary>The virtual host for a Host value (lower-cased here; the port removed first when the table ignores it).</summary>
    public VirtualHostEntry? FindVirtualHost(string host) =>
        IgnorePortInHostMatching ? Hosts.Find(host.AsSpan(0, HostPort.PortStart(host))) : Hosts.Find(host);

    /// <summary>Every cluster the table's routes name (for warnings about clusters that do not exist).</summary>
    public IEnumerable<string> ClusterNames() => VirtualHosts
        .SelectMany(v => v.Routes)
        .Select(r => r.Behavior)
        .OfType<ForwardAction>()
        .SelectMany(f => f.Clusters switch
        {
            SingleCluster single => [single.Name],
            WeightedClusters weighted => weighted.Targets.Where(t => t.Cluster is not null).Select(t => t.Cluster!),
            _ => [],
        });
}
