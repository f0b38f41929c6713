using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// Envoy's virtual host lookup: the host (lower-cased, without its port when <c>ignore_port_in_host_matching</c>) is looked
/// up as an exact domain, then against suffix wildcards (<c>*.example.com</c>, <c>*-bar.example.com</c>; longest first),
/// then prefix wildcards (<c>foo.*</c>; longest first), then <c>*</c>. A wildcard must match at least one character.
/// </summary>
internal static class VirtualHostSelector
{
    public static VirtualHost? Select(RouteConfiguration config, string host, bool ignorePort)
    {
        host = (ignorePort ? WithoutPort(host) : host).ToLowerInvariant();
        VirtualHost? suffixHost = null, prefixHost = null, anyHost = null;
        int suffixLength = -1, prefixLength = -1;
        foreach (var vhost in config.VirtualHosts)
        {
            foreach (var raw in vhost.Domains)
            {
                var domain = raw.ToLowerInvariant();
                if (domain == "*")
                {
                    anyHost ??= vhost;
                }
                else if (domain == host)
                {
                    return vhost;
                }
                else if (domain.StartsWith('*'))
                {
                    var suffix = domain[1..];
                    if (host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.Ordinal) && suffix.Length > suffixLength)
                    {
                        (suffixHost, suffixLength) = (vhost, suffix.Length);
                    }
                }
                else if (domain.EndsWith('*'))
                {
                    var prefix = domain[..^1];
                    if (host.Length > prefix.Length && host.StartsWith(prefix, StringComparison.Ordinal) && prefix.Length > prefixLength)
                    {
                        (prefixHost, prefixLength) = (vhost, prefix.Length);
                    }
                }
            }
        }

        return suffixHost ?? prefixHost ?? anyHost;
    }

    /// <summary>A domain that two virtual hosts both list: Envoy rejects such a route configuration.</summary>
    public static string? DuplicateDomain(RouteConfiguration config)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return config.VirtualHosts.SelectMany(v => v.Domains).FirstOrDefault(d => !seen.Add(d));
    }

    /// <summary>The host without a trailing <c>:PORT</c> (an IPv6 literal keeps its brackets).</summary>
    public static string WithoutPort(string host)
    {
        var colon = host.LastIndexOf(':');
        if (colon <= 0 || host.EndsWith(']'))
        {
            return host;
        }

        var bracket = host.LastIndexOf(']');
        if (host.StartsWith('[') ? bracket != colon - 1 : host.IndexOf(':', StringComparison.Ordinal) != colon)
        {
            return host; // a bare IPv6 address: the colons are not a port separator
        }

        return host[..colon];
    }
}
