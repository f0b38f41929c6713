namespace Weft.Control.Generators.Authorization;

/// <summary>
/// The local trust domain and its aliases (mesh <c>trustDomain</c> first, then <c>trustDomainAliases</c>). Principals in
/// AuthorizationPolicies are written <c>TD/ns/NS/sa/SA</c>; one naming a trust domain of the bundle, or the placeholder
/// <c>cluster.local</c>, is expanded to every trust domain of the bundle, so identities keep matching while a mesh moves
/// to a new trust domain. An empty bundle (no trust domain at all) is Istio's zero value: such principals expand to nothing.
/// </summary>
internal sealed record TrustDomainBundle(IReadOnlyList<string> TrustDomains)
{
    public const string ClusterLocal = "cluster.local";

    public static TrustDomainBundle Empty { get; } = new([]);

    public static TrustDomainBundle Of(string trustDomain, IReadOnlyList<string> aliases) => new([trustDomain, .. aliases]);

    /// <summary>Principals with every trust domain of the bundle in place of theirs, where theirs is one of the bundle's.</summary>
    public IReadOnlyList<string> ReplaceTrustDomainAliases(IReadOnlyList<string> principals)
    {
        var result = new List<string>();
        foreach (var principal in principals)
        {
            var parts = principal.Split('/');

            // Not TD/ns/NS/sa/SA, or "*" as the trust domain: the trust domain is not checked, so there is nothing to expand.
            if (parts.Length != 5 || parts[0] == "*")
            {
                result.Add(principal);
                continue;
            }

            var trustDomain = parts[0];
            if (TrustDomains.Any(td => LooselyMatches(trustDomain, td)) || trustDomain == ClusterLocal)
            {
                result.AddRange(Expand(principal, trustDomain, parts));
            }
            else
            {
                result.Add(principal);
            }
        }

        return result;
    }

    /// <summary>Trust domain values with every trust domain of the bundle in place of one that is in it (duplicates dropped).</summary>
    public IReadOnlyList<string> ExpandTrustDomainAliases(IReadOnlyList<string> values)
    {
        var result = new List<string>();
        foreach (var value in values)
        {
            foreach (var expanded in TrustDomains.Contains(value) ? TrustDomains : [value])
            {
                if (!result.Contains(expanded))
                {
                    result.Add(expanded);
                }
            }
        }

        return result;
    }

    private List<string> Expand(string principal, string trustDomain, string[] parts)
    {
        var result = new List<string>();
        foreach (var td in TrustDomains)
        {
            // A principal whose trust domain is a suffix pattern ("*-td") already covers this one: it stays as written.
            var replaced = SuffixMatches(td, trustDomain) ? principal : td + "/" + string.Join('/', parts[1..]);
            if (!result.Contains(replaced))
            {
                result.Add(replaced);
            }
        }

        return result;
    }

    /// <summary>Equal, "*", or a prefix or suffix pattern on either side (Istio's trust-domain stringMatch).</summary>
    private static bool LooselyMatches(string a, string b) =>
        a == b || b == "*" || PrefixMatches(a, b) || PrefixMatches(b, a) || SuffixMatches(a, b) || SuffixMatches(b, a);

    private static bool PrefixMatches(string value, string pattern) =>
        pattern.EndsWith('*') && value.StartsWith(pattern[..^1], StringComparison.Ordinal);

    private static bool SuffixMatches(string value, string pattern) =>
        pattern.StartsWith('*') && value.EndsWith(pattern[1..], StringComparison.Ordinal);
}
