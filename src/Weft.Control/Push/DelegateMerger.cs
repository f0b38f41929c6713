using Weft.Api.Model.Networking;
using Weft.Control.Config;

namespace Weft.Control.Push;

/// <summary>
/// Replaces each root route that names a <c>delegate</c> with the delegate VirtualService's routes, as Istio merges them.
/// </summary>
public static class DelegateMerger
{
    /// <param name="root">The root VirtualService (for messages).</param>
    /// <param name="routes">The root's HTTP routes.</param>
    /// <param name="lookup">Finds a delegate by name and namespace (empty = the root's); null when missing or not exported.</param>
    public static IReadOnlyList<HTTPRoute> Merge(ConfigKey root, IReadOnlyList<HTTPRoute> routes, Func<string, string?, VirtualServiceSpec?> lookup)
    {
        _ = root;
        if (!routes.Any(r => r.Delegate is not null))
        {
            return routes;
        }

        var merged = new List<HTTPRoute>();
        foreach (var route in routes)
        {
            if (route.Delegate is not { } d)
            {
                merged.Add(route);
                continue;
            }

            var target = lookup(d.Name ?? string.Empty, d.Namespace);
            merged.AddRange(target?.Http ?? []);
        }

        return merged;
    }
}
