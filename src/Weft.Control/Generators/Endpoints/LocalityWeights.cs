using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;

namespace Weft.Control.Generators.Endpoints;

/// <summary>
/// <c>localityLbSetting.distribute</c> (Istio's applyLocalityWeights): the first entry whose <c>from</c> covers the
/// proxy's locality re-weights the localities its <c>to</c> names (a wildcard's weight is shared among the localities it
/// covers in proportion to their own weights) and empties every locality it does not name.
/// </summary>
internal static class LocalityWeights
{
    public static void Apply(Locality proxy, ClusterLoadAssignment assignment, IReadOnlyList<LocalityDistribute> distribute)
    {
        var entry = distribute.FirstOrDefault(d => d.From is not null && Localities.Matches(proxy, d.From));
        if (entry is null)
        {
            return;
        }

        var unmatched = Enumerable.Range(0, assignment.Endpoints.Count).ToHashSet();

        // Istio walks a Go map here; sorting the keys makes the outcome stable when several wildcards overlap.
        foreach (var (locality, weight) in (entry.To ?? new Dictionary<string, long>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var originals = new Dictionary<int, uint>();
            uint total = 0;
            for (var i = 0; i < assignment.Endpoints.Count; i++)
            {
                var group = assignment.Endpoints[i];
                if (unmatched.Contains(i) && Localities.Matches(group.Locality ?? new Locality(), locality))
                {
                    unmatched.Remove(i);
                    originals[i] = group.LoadBalancingWeight ?? 1;
                    total = unchecked(total + originals[i]);
                }
            }

            foreach (var (index, original) in originals)
            {
                var share = unchecked(original * (uint)weight) / (double)total;
                if (share > 0)
                {
                    assignment.Endpoints[index].LoadBalancingWeight = (uint)Math.Ceiling(share);
                }
            }
        }

        foreach (var index in unmatched)
        {
            assignment.Endpoints[index].LbEndpoints.Clear();
        }
    }
}
