namespace Weft.Api.Validation.Rules;

/// <summary>Istio's wildcard host comparisons (<c>host.Name.Matches</c> and <c>SubsetOf</c>).</summary>
internal static class HostNames
{
    public static bool IsWildcarded(string host) => host.Length > 0 && host[0] == '*';

    /// <summary>True when the two hosts overlap: equal, or one wildcard covers the other.</summary>
    public static bool Matches(string a, string b)
    {
        var aWild = IsWildcarded(a);
        var bWild = IsWildcarded(b);
        if (aWild)
        {
            if (bWild)
            {
                return a.Length < b.Length
                    ? b.AsSpan(1).EndsWith(a.AsSpan(1), StringComparison.Ordinal)
                    : a.AsSpan(1).EndsWith(b.AsSpan(1), StringComparison.Ordinal);
            }

            return b.AsSpan().EndsWith(a.AsSpan(1), StringComparison.Ordinal);
        }

        if (bWild)
        {
            return a.AsSpan().EndsWith(b.AsSpan(1), StringComparison.Ordinal);
        }

        return string.Equals(a, b, StringComparison.Ordinal);
    }

    /// <summary>True when <paramref name="host"/> is covered by <paramref name="other"/>.</summary>
    public static bool SubsetOf(string host, string other)
    {
        var hWild = IsWildcarded(host);
        var oWild = IsWildcarded(other);
        if (hWild)
        {
            if (!oWild || host.Length < other.Length)
            {
                return false;
            }

            return host.AsSpan(1).EndsWith(other.AsSpan(1), StringComparison.Ordinal);
        }

        if (oWild)
        {
            return host.AsSpan().EndsWith(other.AsSpan(1), StringComparison.Ordinal);
        }

        return string.Equals(host, other, StringComparison.Ordinal);
    }
}
