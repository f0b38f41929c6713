using Weft.Proxy.Upstream;

namespace Weft.Proxy.LoadBalancing;

/// <summary>
/// The endpoints of a hash table with their weights normalized to a sum of 1, as Envoy feeds its ring and Maglev
/// builders: by endpoint weight, or, with locality weighting, each locality's share (its weight over all the level's
/// locality weights) split among its endpoints by weight. A locality of weight 0 contributes nothing.
/// </summary>
internal readonly record struct HashWeights(IReadOnlyList<(UpstreamEndpoint Endpoint, double Weight)> Entries, double Min, double Max)
{
    public static HashWeights Normalize(IReadOnlyList<EndpointLocality> localities, Func<UpstreamEndpoint, bool> usable, bool localityWeighted)
    {
        var entries = new List<(UpstreamEndpoint, double)>();
        var localityTotal = localities.Sum(l => (double)l.Weight);
        if (!localityWeighted || localityTotal == 0)
        {
            Add(entries, localities.SelectMany(l => l.Endpoints).Where(usable).ToList(), 1.0);
        }
        else
        {
            foreach (var locality in localities.Where(l => l.Weight > 0))
            {
                Add(entries, locality.Endpoints.Where(usable).ToList(), locality.Weight / localityTotal);
            }
        }

        var min = entries.Count == 0 ? 1.0 : entries.Min(e => e.Item2);
        var max = entries.Count == 0 ? 0.0 : entries.Max(e => e.Item2);
        return new HashWeights(entries, min, max);
    }

    private static void Add(List<(UpstreamEndpoint, double)> entries, List<UpstreamEndpoint> endpoints, double share)
    {
        var sum = endpoints.Sum(e => (double)e.Host.Weight);
        foreach (var endpoint in endpoints)
        {
            entries.Add((endpoint, endpoint.Host.Weight * share / sum));
        }
    }
}
