using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;

namespace Weft.Control.Generators.Endpoints;

/// <summary>
/// Locality failover by proximity to the proxy (Istio's applyLocalityFailover): priority 0 for the proxy's own
/// subzone, 1 its zone, 2 its region, 3 other regions, and 4 for other regions that the <c>failover</c> entry for the
/// proxy's region does not name as its target. Composes with priorities already assigned (by <c>failoverPriority</c>),
/// then renumbers so priorities run 0..N without gaps, as Envoy requires.
/// </summary>
internal static class ProximityFailover
{
    private const uint Levels = 5;
    private const int OtherRegion = 3;
    private const int NotFailoverTarget = 4;

    public static void Apply(Locality proxy, ClusterLoadAssignment assignment, IReadOnlyList<LocalityFailover>? failover)
    {
        foreach (var group in assignment.Endpoints)
        {
            var locality = group.Locality ?? new Locality();
            var priority = Localities.Proximity(proxy, locality);
            if (priority == OtherRegion)
            {
                var rule = failover?.FirstOrDefault(f => f.From == proxy.Region);
                if (rule is not null && locality.Region != rule.To)
                {
                    priority = NotFailoverTarget;
                }
            }

            group.Priority = (group.Priority * Levels) + (uint)priority;
        }

        Priorities.Renumber(assignment.Endpoints);
    }
}
