using Weft.Xds.Envoy.Config.Endpoint.V3;

namespace Weft.Control.Generators.Endpoints;

/// <summary>
/// <c>localityLbSetting.failoverPriority</c> (Istio's applyFailoverPriorities): an ordered list of labels, each entry
/// <c>label</c> or <c>label=value</c> (compare with that value instead of the proxy's). An endpoint matching the proxy
/// on every label gets priority 0; one that first differs at label j gets N - j, so endpoints sharing more leading labels
/// with the proxy come first. When the first label is the network label, a network mismatch does not stop the
/// comparison but pushes the endpoint behind every same-network one. Localities are split by those priorities.
/// </summary>
internal static class FailoverPriorities
{
    public static void Apply(ClusterLoadAssignment assignment, IReadOnlyList<LocalityGroup> groups, IReadOnlyDictionary<string, string> proxyLabels, IReadOnlyList<string> failoverPriority)
    {
        if (proxyLabels.Count == 0 || groups.Count == 0)
        {
            return;
        }

        var keys = new List<string>(failoverPriority.Count);
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in failoverPriority)
        {
            var parts = entry.Split('=');
            keys.Add(parts[0]);
            if (parts.Length == 2)
            {
                overrides[parts[0]] = parts[1];
            }
        }

        var split = new List<LocalityLbEndpoints>();
        foreach (var group in groups)
        {
            split.AddRange(Split(group, keys, overrides, proxyLabels));
        }

        Priorities.Renumber(split);
        assignment.Endpoints.Clear();
        assignment.Endpoints.AddRange(split);
    }

    private static IEnumerable<LocalityLbEndpoints> Split(LocalityGroup group, List<string> keys, Dictionary<string, string> overrides, IReadOnlyDictionary<string, string> proxyLabels)
    {
        var lowest = keys.Count;
        var networkFirst = lowest > 0 && keys[0] == TopologyLabels.Network;
        var byPriority = new SortedDictionary<int, List<LbEndpoint>>();
        for (var i = 0; i < group.Labels.Count; i++)
        {
            var labels = group.Labels[i];
            var priority = 0;
            var adjust = 0;
            for (var j = 0; j < keys.Count; j++)
            {
                var wanted = overrides.TryGetValue(keys[j], out var fixedValue) ? fixedValue : proxyLabels.GetValueOrDefault(keys[j], string.Empty);
                if (wanted == labels.GetValueOrDefault(keys[j], string.Empty))
                {
                    continue;
                }

                if (j == 0 && networkFirst)
                {
                    adjust = lowest;
                    continue;
                }

                priority = lowest - j;
                break;
            }

            priority += adjust;
            if (!byPriority.TryGetValue(priority, out var list))
            {
                byPriority[priority] = list = [];
            }

            list.Add(group.Endpoints.LbEndpoints[i]);
        }

        foreach (var (priority, endpoints) in byPriority)
        {
            var part = group.Endpoints.Clone();
            part.LbEndpoints.Clear();
            part.LbEndpoints.AddRange(endpoints);
            part.Priority = (uint)priority;
            part.LoadBalancingWeight = endpoints.Aggregate(0u, (sum, e) => unchecked(sum + (e.LoadBalancingWeight ?? 0)));
            yield return part;
        }
    }
}
