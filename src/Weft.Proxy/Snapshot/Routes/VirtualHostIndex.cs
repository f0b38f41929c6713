using Weft.Proxy.Xds;

namespace Weft.Proxy.Snapshot.Routes;

/// <summary>
/// Envoy's virtual host selection by Host: an exact domain first; then suffix wildcards (<c>*.example.com</c>,
/// <c>*-bar.example.com</c>), longest suffix first; then prefix wildcards (<c>example.*</c>), longest first; then
/// <c>*</c>. A wildcard never matches an empty part. Domains are case-insensitive and each may appear once in a route
/// configuration (Envoy refuses duplicates).
/// </summary>
internal sealed class VirtualHostIndex
{
    private readonly Dictionary<string, VirtualHostEntry> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Suffix, VirtualHostEntry Host)> _suffixes = [];
    private readonly List<(string Prefix, VirtualHostEntry Host)> _prefixes = [];
    private VirtualHostEntry? _default;

    public VirtualHostIndex(IEnumerable<VirtualHostEntry> hosts, string routeName)
    {
        foreach (var host in hosts)
        {
            foreach (var raw in host.Domains)
            {
                var domain = raw.ToLowerInvariant();
                bool added;
                if (domain == "*")
                {
                    added = _default is null;
                    _default ??= host;
                }
                else if (domain.StartsWith('*'))
                {
                    added = Add(_suffixes, domain[1..], host);
                }
                else if (domain.EndsWith('*'))
                {
                    added = Add(_prefixes, domain[..^1], host);
                }
                else
                {
                    added = _exact.TryAdd(domain, host);
                }

                if (!added)
                {
                    throw new XdsRejectedException($"the domain \"{raw}\" appears in more than one virtual host of route configuration {routeName} (Envoy allows each once)");
                }
            }
        }

        // Longest first; the order among equal lengths does not matter, as no two are equal.
        _suffixes.Sort((a, b) => b.Suffix.Length.CompareTo(a.Suffix.Length));
        _prefixes.Sort((a, b) => b.Prefix.Length.CompareTo(a.Prefix.Length));
    }

    public VirtualHostEntry? Find(string host) => Find(host.AsSpan());

    /// <summary>The virtual host for a Host given as characters (a part of the header, such as the host without its port).</summary>
    public VirtualHostEntry? Find(ReadOnlySpan<char> host)
    {
        if (_exact.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(host, out var exact))
        {
            return exact;
        }

        foreach (var (suffix, entry) in _suffixes)
        {
            if (host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }
        }

        foreach (var (prefix, entry) in _prefixes)
        {
            if (host.Length > prefix.Length && host.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }
        }

        return _default;
    }

    private static bool Add(List<(string, VirtualHostEntry)> list, string part, VirtualHostEntry host)
    {
        if (list.Exists(e => string.Equals(e.Item1, part, StringComparison.Ordinal)))
        {
            return false;
        }

        list.Add((part, host));
        return true;
    }
}
