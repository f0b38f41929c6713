using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Traffic;

/// <summary>How Istio validates the hosts of a VirtualService, which depend on the gateways it binds to.</summary>
internal static class VirtualServiceHosts
{
    private const string OutboundPrefix = "outbound";
    private const string OutboundFormat = "outbound_.<PORT>_._.<HOSTNAME>";

    /// <summary>Istio's <c>isGateway</c>: the VirtualService does not list the "mesh" gateway (also true with no gateways).</summary>
    public static bool IsBoundToGateway(VirtualServiceSpec service)
    {
        if (service.Gateways is { } gateways)
        {
            foreach (var gateway in gateways)
            {
                if (gateway == GatewayReferences.MeshGateway)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Istio's <c>isSniHost</c>: some TLS match lists SNI hosts.</summary>
    public static bool HasSniHosts(VirtualServiceSpec service)
    {
        if (service.Tls is { } routes)
        {
            foreach (var route in routes)
            {
                if (route.Match is { } matches)
                {
                    foreach (var match in matches)
                    {
                        if (match.SniHosts is { Count: > 0 })
                        {
                            return true;
                        }
                    }
                }
            }
        }

        return false;
    }

    /// <summary>
    /// <c>ValidateWildcardDomainForVirtualServiceBoundToGateway</c>: a wildcard domain, or for SNI hosts also the
    /// auto-generated <c>outbound_.PORT_._.HOSTNAME</c> form.
    /// </summary>
    public static string? ValidateBoundToGateway(bool sni, string domain)
    {
        if (DnsNames.CheckPreconditions(domain) is { } error)
        {
            return error;
        }

        if (sni && domain.StartsWith(OutboundPrefix + "_", StringComparison.Ordinal))
        {
            var parts = domain.Split('_');
            if (parts.Length < 4)
            {
                return $"domain name {domain} invalid, should follow '{OutboundFormat}' format";
            }

            var direction = parts[0];
            var port = parts[1].Trim('.');
            var hostname = parts[3].Trim('.');
            if (direction != OutboundPrefix)
            {
                return $"domain name {GoStrconv.Quote(domain)} invalid (label {GoStrconv.Quote(direction)} invalid)";
            }

            if (!port.Any(char.IsAsciiDigit))
            {
                return $"domain name {GoStrconv.Quote(domain)} invalid (label {GoStrconv.Quote(port)} invalid). should follow {OutboundFormat} format";
            }

            if (!hostname.Any(char.IsAsciiLetter))
            {
                return $"domain name {GoStrconv.Quote(domain)} invalid (label {GoStrconv.Quote(hostname)} invalid). should follow {OutboundFormat} format";
            }

            return null;
        }

        return DnsNames.ValidateWildcardDomain(domain);
    }
}
