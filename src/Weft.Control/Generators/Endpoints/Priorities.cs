using Weft.Xds.Envoy.Config.Endpoint.V3;

namespace Weft.Control.Generators.Endpoints;

/// <summary>Envoy needs priorities 0..N with none skipped; Istio computes sparse ones and then closes the gaps.</summary>
internal static class Priorities
{
    /// <summary>Replaces each priority by its rank among the distinct priorities present, keeping their order.</summary>
    public static void Renumber(IEnumerable<LocalityLbEndpoints> groups)
    {
        var list = groups.ToList();
        var ranks = list.Select(g => g.Priority).Distinct().Order()
            .Select((priority, rank) => (priority, rank))
            .ToDictionary(p => p.priority, p => (uint)p.rank);
        foreach (var group in list)
        {
            group.Priority = ranks[group.Priority];
        }
    }
}
