using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Snapshot.Routes;

/// <summary>How a forwarding route names its cluster: one name, a weighted split, or a request header.</summary>
internal abstract class ClusterChoice
{
    /// <summary>The chosen cluster (null when a header names none) and the weighted entry it came from, if any.</summary>
    public abstract (string? Cluster, WeightedTarget? Entry) Pick(RouteRequest request, ulong random);
}

internal sealed class SingleCluster(string name) : ClusterChoice
{
    public string Name { get; } = name;

    public override (string? Cluster, WeightedTarget? Entry) Pick(RouteRequest request, ulong random) => (Name, null);
}

/// <summary><c>cluster_header</c>: the cluster is the value of a request header.</summary>
internal sealed class HeaderCluster(string header) : ClusterChoice
{
    public override (string? Cluster, WeightedTarget? Entry) Pick(RouteRequest request, ulong random) =>
        (request.Header(header) is { Length: > 0 } name ? name : null, null);
}

/// <summary>
/// <c>weighted_clusters</c>: the request's random value (or a header's number, when <c>header_name</c> is set) modulo the
/// sum of the weights falls into one entry's range, entries taken in order, as Envoy picks.
/// </summary>
internal sealed class WeightedClusters(IReadOnlyList<WeightedTarget> targets, ulong total, string? randomHeader) : ClusterChoice
{
    public IReadOnlyList<WeightedTarget> Targets { get; } = targets;

    public ulong Total { get; } = total;

    public override (string? Cluster, WeightedTarget? Entry) Pick(RouteRequest request, ulong random)
    {
        if (randomHeader is not null && ulong.TryParse(request.Header(randomHeader), out var fromHeader))
        {
            random = fromHeader;
        }

        var selected = random % Total;
        ulong end = 0;
        foreach (var target in Targets)
        {
            end += target.Weight;
            if (selected < end)
            {
                return (target.Cluster ?? request.Header(target.ClusterHeader!), target);
            }
        }

        return (null, null);
    }
}

/// <summary>One entry of a weighted split, with the header edits and host rewrite that apply when it is picked.</summary>
internal sealed record WeightedTarget(string? Cluster, string? ClusterHeader, uint Weight, HeaderMutation Request, HeaderMutation Response, string? HostRewrite);
