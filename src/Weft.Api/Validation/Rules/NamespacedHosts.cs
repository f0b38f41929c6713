using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// Istio's check of <c>namespace/dnsName</c> hosts (<c>ValidateNamespaceSlashWildcardHostname</c>), as Gateway
/// servers and Sidecar egress listeners use them. Gateways also accept a bare host and an IP address.
/// </summary>
internal static class NamespacedHosts
{
    /// <summary>The errors of <paramref name="host"/> (empty when valid).</summary>
    public static List<string> Validate(string host, bool isGateway, bool gatewaySemantics)
    {
        var errors = new List<string>(0);
        var slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            if (isGateway)
            {
                ValidateHostnamePart(host, true, errors);
            }
            else
            {
                errors.Add("host must be of form namespace/dnsName");
            }

            return errors;
        }

        var ns = host[..slash];
        var name = host[(slash + 1)..];
        if (ns.Length == 0 || name.Length == 0)
        {
            errors.Add("config namespace and dnsName in host entry cannot be empty");
        }

        if (!isGateway)
        {
            var bare = ns.StartsWith('~') ? ns[1..] : ns;
            if (bare.Length != 0 && bare != "*" && bare != "." && !DnsNames.IsDns1123Label(bare))
            {
                errors.Add($"invalid namespace value {GoStrconv.Quote(ns)} in sidecar");
            }
        }
        else if (ns != "*" && ns != "." && (ns != "~" || !gatewaySemantics) && !DnsNames.IsDns1123Label(ns))
        {
            errors.Add($"invalid namespace value {GoStrconv.Quote(ns)} in gateway");
        }

        ValidateHostnamePart(name, isGateway, errors);
        return errors;
    }

    /// <summary>Istio's <c>ValidatePartialWildCard</c>: '*' only as the whole host or a leading "*." label.</summary>
    public static string? ValidatePartialWildcard(string host) =>
        host.Contains('*', StringComparison.Ordinal) && host.Length != 1 && !host.StartsWith("*.", StringComparison.Ordinal)
            ? $"partial wildcard {GoStrconv.Quote(host)} not allowed"
            : null;

    private static void ValidateHostnamePart(string hostname, bool isGateway, List<string> errors)
    {
        if (hostname != "*" && !hostname.Contains('.', StringComparison.Ordinal))
        {
            errors.Add("short names (non FQDN) are not allowed");
        }

        if (DnsNames.ValidateWildcardDomain(hostname) is { } error)
        {
            if (!isGateway)
            {
                errors.Add(error);
            }

            if (!GoNetip.IsValidAddress(hostname))
            {
                errors.Add(error);
            }
        }

        if (ValidatePartialWildcard(hostname) is { } partial)
        {
            errors.Add(partial);
        }
    }
}
