using Weft.Api.Model.Networking;

namespace Weft.Control.Push;

/// <summary>
/// How a delegate route's match requests fit inside its root route's, as Istio merges them: every delegate match must
/// narrow at least one root match (it is then combined with each root match it does not contradict), or the
/// delegate route is dropped. A delegate route without matches takes the root's; a root without matches takes any.
/// </summary>
internal static class DelegateMatches
{
    /// <summary>Merges the matches; false when a delegate match fits no root match (the delegate route is then dropped).</summary>
    public static bool TryMerge(IReadOnlyList<HTTPMatchRequest>? root, IReadOnlyList<HTTPMatchRequest>? leaf, out IReadOnlyList<HTTPMatchRequest>? merged)
    {
        merged = null;
        if (root is not { Count: > 0 })
        {
            merged = leaf;
            return true;
        }

        if (leaf is not { Count: > 0 })
        {
            merged = root;
            return true;
        }

        var combined = new List<HTTPMatchRequest>();
        foreach (var leafMatch in leaf)
        {
            var fits = false;
            foreach (var rootMatch in root)
            {
                if (Conflicts(rootMatch, leafMatch))
                {
                    continue;
                }

                combined.Add(Combine(rootMatch, leafMatch));
                fits = true;
            }

            if (!fits)
            {
                return false;
            }
        }

        merged = combined;
        return combined.Count > 0;
    }

    /// <summary>The delegate's match with every condition it leaves unset taken from the root's.</summary>
    private static HTTPMatchRequest Combine(HTTPMatchRequest root, HTTPMatchRequest leaf) => leaf with
    {
        Name = JoinNames(root.Name, leaf.Name),
        Uri = leaf.Uri ?? root.Uri,
        Scheme = leaf.Scheme ?? root.Scheme,
        Method = leaf.Method ?? root.Method,
        Authority = leaf.Authority ?? root.Authority,
        Headers = Union(root.Headers, leaf.Headers),
        WithoutHeaders = Union(root.WithoutHeaders, leaf.WithoutHeaders),
        QueryParams = Union(root.QueryParams, leaf.QueryParams),
        Port = (leaf.Port ?? 0) == 0 ? root.Port : leaf.Port,
        SourceLabels = Union(root.SourceLabels, leaf.SourceLabels),
        SourceNamespace = string.IsNullOrEmpty(leaf.SourceNamespace) ? root.SourceNamespace : leaf.SourceNamespace,
        Gateways = leaf.Gateways is { Count: > 0 } ? leaf.Gateways : root.Gateways,
        StatPrefix = string.IsNullOrEmpty(leaf.StatPrefix) ? root.StatPrefix : leaf.StatPrefix,
    };

    /// <summary><c>root-leaf</c>, or whichever of the two is set.</summary>
    public static string? JoinNames(string? root, string? leaf) =>
        string.IsNullOrEmpty(leaf) ? root : string.IsNullOrEmpty(root) ? leaf : $"{root}-{leaf}";

    /// <summary>Whether the delegate's match asks for something the root's excludes, or is not narrower than it.</summary>
    private static bool Conflicts(HTTPMatchRequest root, HTTPMatchRequest leaf)
    {
        if (Conflicts(root.Uri, leaf.Uri) || Conflicts(root.Scheme, leaf.Scheme) || Conflicts(root.Method, leaf.Method) || Conflicts(root.Authority, leaf.Authority))
        {
            return true;
        }

        if (Conflicts(root.Headers, leaf.Headers) || Conflicts(root.WithoutHeaders, leaf.WithoutHeaders) || Conflicts(root.QueryParams, leaf.QueryParams))
        {
            return true;
        }

        if ((root.IgnoreUriCase ?? false) != (leaf.IgnoreUriCase ?? false))
        {
            return true;
        }

        if (root.Port is > 0 && leaf.Port is > 0 && root.Port != leaf.Port)
        {
            return true;
        }

        if (!string.IsNullOrEmpty(root.SourceNamespace) && leaf.SourceNamespace != root.SourceNamespace)
        {
            return true;
        }

        foreach (var (key, value) in leaf.SourceLabels ?? new Dictionary<string, string>())
        {
            if (root.SourceLabels is not null && root.SourceLabels.TryGetValue(key, out var rootValue) && rootValue != value)
            {
                return true;
            }
        }

        // The root's gateways must include every gateway the delegate names.
        if (root.Gateways is { Count: > 0 } rootGateways && leaf.Gateways is { Count: > 0 } leafGateways)
        {
            return rootGateways.Count < leafGateways.Count || leafGateways.Any(g => !rootGateways.Contains(g));
        }

        return false;
    }

    private static bool Conflicts(IReadOnlyDictionary<string, StringMatch>? root, IReadOnlyDictionary<string, StringMatch>? leaf) =>
        leaf is not null && leaf.Any(kv => Conflicts(root?.GetValueOrDefault(kv.Key), kv.Value));

    /// <summary>
    /// Whether a delegate string match fails to narrow the root's: a regex on either side conflicts with any other
    /// match; an exact root needs the same exact value; a prefix root needs an exact or prefix value under it.
    /// Unset on either side never conflicts.
    /// </summary>
    private static bool Conflicts(StringMatch? root, StringMatch? leaf)
    {
        if (root is null || leaf is null)
        {
            return false;
        }

        var rootRegex = NonEmpty(root.Regex);
        var leafRegex = NonEmpty(leaf.Regex);
        var rootExact = NonEmpty(root.Exact);
        var leafExact = NonEmpty(leaf.Exact);
        var rootPrefix = NonEmpty(root.Prefix);
        var leafPrefix = NonEmpty(leaf.Prefix);
        if (rootRegex is not null && (leafRegex ?? leafPrefix ?? leafExact) is not null)
        {
            return true;
        }

        if (leafRegex is not null && (rootRegex ?? rootPrefix ?? rootExact) is not null)
        {
            return true;
        }

        if (rootExact is not null)
        {
            return leafPrefix is not null || leafExact != rootExact;
        }

        if (rootPrefix is not null)
        {
            if (leafPrefix is not null)
            {
                return !leafPrefix.StartsWith(rootPrefix, StringComparison.Ordinal);
            }

            if (leafExact is not null)
            {
                return !leafExact.StartsWith(rootPrefix, StringComparison.Ordinal);
            }
        }

        return true;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static IReadOnlyDictionary<string, TValue>? Union<TValue>(IReadOnlyDictionary<string, TValue>? root, IReadOnlyDictionary<string, TValue>? leaf)
    {
        var merged = new Dictionary<string, TValue>(StringComparer.Ordinal);
        foreach (var (key, value) in root ?? new Dictionary<string, TValue>())
        {
            merged[key] = value;
        }

        foreach (var (key, value) in leaf ?? new Dictionary<string, TValue>())
        {
            merged[key] = value;
        }

        return merged.Count == 0 ? null : merged;
    }
}
