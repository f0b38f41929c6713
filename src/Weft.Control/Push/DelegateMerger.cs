using Weft.Api.Model.Networking;
using Weft.Control.Config;

namespace Weft.Control.Push;

/// <summary>
/// Replaces each root route that names a <c>delegate</c> with the delegate VirtualService's routes, as Istio merges
/// them: each delegate route must fit inside the root route's matches (else it is dropped), is named
/// <c>ROOT-DELEGATE</c>, and inherits what it leaves unset (rewrite, timeout, retries, fault, mirrors, CORS, headers,
/// direct response) from the root route. Every route's short names are completed first, each in the namespace of the
/// VirtualService that wrote it.
/// </summary>
public static class DelegateMerger
{
    /// <param name="root">The root VirtualService.</param>
    /// <param name="routes">The root's HTTP routes.</param>
    /// <param name="lookup">Finds a delegate by name and namespace (empty = the root's); null when missing or not exported.</param>
    public static IReadOnlyList<HTTPRoute> Merge(ConfigKey root, IReadOnlyList<HTTPRoute> routes, Func<string, string?, VirtualServiceSpec?> lookup)
    {
        var merged = new List<HTTPRoute>(routes.Count);
        foreach (var route in routes)
        {
            var resolved = VirtualServiceShortNames.Resolve(route, root.Namespace);
            if (route.Delegate is not { } reference)
            {
                merged.Add(resolved);
                continue;
            }

            // A missing or hidden delegate drops only this root route, as in Istio.
            if (lookup(reference.Name ?? string.Empty, reference.Namespace) is not { } target)
            {
                continue;
            }

            var delegateNamespace = string.IsNullOrEmpty(reference.Namespace) ? root.Namespace : reference.Namespace;
            var parent = resolved with { Delegate = null };
            foreach (var leaf in target.Http ?? [])
            {
                if (MergeRoute(parent, VirtualServiceShortNames.Resolve(leaf, delegateNamespace)) is { } combined)
                {
                    merged.Add(combined);
                }
            }
        }

        return merged;
    }

    /// <summary>The delegate route inside the root route; null when its matches do not fit the root's.</summary>
    internal static HTTPRoute? MergeRoute(HTTPRoute root, HTTPRoute leaf)
    {
        if (!DelegateMatches.TryMerge(root.Match, leaf.Match, out var matches))
        {
            return null;
        }

        return leaf with
        {
            Match = matches,
            Name = DelegateMatches.JoinNames(root.Name, leaf.Name),
            Rewrite = leaf.Rewrite ?? root.Rewrite,
            DirectResponse = leaf.DirectResponse ?? root.DirectResponse,
            Timeout = leaf.Timeout ?? root.Timeout,
            Retries = leaf.Retries ?? root.Retries,
            Fault = leaf.Fault ?? root.Fault,
            Mirror = leaf.Mirror ?? root.Mirror,
            Mirror_percent = leaf.Mirror_percent ?? root.Mirror_percent,
            MirrorPercent = leaf.MirrorPercent ?? root.MirrorPercent,
            MirrorPercentage = leaf.MirrorPercentage ?? root.MirrorPercentage,
            CorsPolicy = leaf.CorsPolicy ?? root.CorsPolicy,
            Mirrors = leaf.Mirrors ?? root.Mirrors,
            Headers = leaf.Headers ?? root.Headers,
        };
    }
}
