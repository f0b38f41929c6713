namespace Weft.Control.Model;

/// <summary>Istio's host-name rules: short names completed in a namespace, wildcard matching and specificity.</summary>
public static class Hosts
{
    /// <summary>
    /// Completes a host as Istio does for VirtualService and DestinationRule hosts: <c>*</c> and names with a dot stay as
    /// they are; a short name becomes <c>NAME.NAMESPACE.svc.cluster.local</c>.
    /// </summary>
    public static string Resolve(string host, string ns, string domain = "cluster.local")
    {
        if (host == "*" || host.Contains('.', StringComparison.Ordinal))
        {
            return host;
        }

        return host.StartsWith('*') ? host : $"{host}.{ns}.svc.{domain}";
    }

    /// <summary>Whether a pattern (exact, <c>*</c>, or <c>*.suffix</c>) covers a host; a wildcard host is covered by wider patterns.</summary>
    public static bool Matches(string pattern, string host)
    {
        if (pattern == "*" || string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (pattern.StartsWith('*'))
        {
            var suffix = pattern[1..];
            var subject = host.StartsWith('*') ? host[1..] : host;
            return subject.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && subject.Length >= suffix.Length && (host.StartsWith('*') ? subject.Length >= suffix.Length : subject.Length > suffix.Length);
        }

        return false;
    }

    /// <summary>Whether two host patterns can match a common host.</summary>
    public static bool Intersect(string a, string b) => Matches(a, b) || Matches(b, a);

    /// <summary>Orders patterns most specific first: exact hosts, then longer wildcards.</summary>
    public static int Specificity(string pattern) =>
        pattern.StartsWith('*') ? pattern.Length : 10_000 + pattern.Length;

    /// <summary>
    /// Whether a resource with an <c>exportTo</c> list, declared in <paramref name="ownerNamespace"/>, is visible in
    /// <paramref name="viewer"/>. An empty list means the mesh default (everywhere).
    /// </summary>
    public static bool Visible(IReadOnlyList<string> exportTo, string ownerNamespace, string viewer, IReadOnlyList<string>? defaults = null)
    {
        var list = exportTo.Count > 0 ? exportTo : defaults ?? ["*"];
        foreach (var entry in list)
        {
            if (entry == "*" || entry == viewer || (entry == "." && ownerNamespace == viewer))
            {
                return true;
            }
        }

        return false;
    }
}
