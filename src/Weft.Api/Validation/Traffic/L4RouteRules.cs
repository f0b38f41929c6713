using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Traffic;

/// <summary>Istio's checks of VirtualService TLS and TCP routes (<c>validateTLSRoute</c>, <c>validateTCPRoute</c>).</summary>
internal static class L4RouteRules
{
    public static void ValidateTls(ValidationContext context, string path, TLSRoute route, VirtualServiceSpec service, bool gatewaySemantics)
    {
        if (route.Match is not { Count: > 0 })
        {
            context.Error(path + ".match", "TLS route must have at least one match condition");
        }
        else
        {
            for (var i = 0; i < route.Match.Count; i++)
            {
                ValidateTlsMatch(context, $"{path}.match[{i}]", route.Match[i], service);
            }
        }

        if (route.Route is not { Count: > 0 })
        {
            context.Error(path + ".route", "TLS route is required");
        }

        Destinations.ValidateL4Routes(context, path + ".route", route.Route, gatewaySemantics);
    }

    private static void ValidateTlsMatch(ValidationContext context, string path, TLSMatchAttributes match, VirtualServiceSpec service)
    {
        if (match.SniHosts is not { Count: > 0 })
        {
            context.Error(path + ".sniHosts", "TLS match must have at least one SNI host");
        }
        else
        {
            for (var i = 0; i < match.SniHosts.Count; i++)
            {
                ValidateSniHost(context, $"{path}.sniHosts[{i}]", match.SniHosts[i], service);
            }
        }

        ValidateL4Common(context, path, match.DestinationSubnets, match.Port, match.SourceLabels, match.Gateways);
    }

    private static void ValidateSniHost(ValidationContext context, string path, string sniHost, VirtualServiceSpec service)
    {
        var error = VirtualServiceHosts.IsBoundToGateway(service)
            ? VirtualServiceHosts.ValidateBoundToGateway(sni: true, sniHost)
            : DnsNames.ValidateWildcardDomain(sniHost);
        if (error is not null)
        {
            if (GoNetip.IsValidAddress(sniHost))
            {
                context.Warning(path, $"using an IP address ({GoStrconv.Quote(sniHost)}) goes against SNI spec and most clients do not support this");
            }
            else
            {
                context.Error(path, error);
            }

            return;
        }

        if (service.Hosts is { } hosts)
        {
            foreach (var host in hosts)
            {
                if (HostNames.SubsetOf(sniHost, host))
                {
                    return;
                }
            }
        }

        context.Error(path, $"SNI host {GoStrconv.Quote(sniHost)} is not a compatible subset of any of the virtual service hosts: [{string.Join(", ", service.Hosts ?? [])}]");
    }

    public static void ValidateTcp(ValidationContext context, string path, TCPRoute route, bool gatewaySemantics)
    {
        if (route.Match is { } matches)
        {
            for (var i = 0; i < matches.Count; i++)
            {
                var match = matches[i];
                ValidateL4Common(context, $"{path}.match[{i}]", match.DestinationSubnets, match.Port, match.SourceLabels, match.Gateways);
            }
        }

        if (route.Route is not { Count: > 0 })
        {
            context.Error(path + ".route", "TCP route is required");
        }

        Destinations.ValidateL4Routes(context, path + ".route", route.Route, gatewaySemantics);
    }

    private static void ValidateL4Common(
        ValidationContext context,
        string path,
        IReadOnlyList<string>? destinationSubnets,
        long? port,
        IReadOnlyDictionary<string, string>? sourceLabels,
        IReadOnlyList<string>? gateways)
    {
        if (destinationSubnets is not null)
        {
            for (var i = 0; i < destinationSubnets.Count; i++)
            {
                if (IpAddresses.ValidateSubnet(destinationSubnets[i]) is { } error)
                {
                    context.Error($"{path}.destinationSubnets[{i}]", error);
                }
            }
        }

        if (port is { } number and not 0 && Ports.Validate(number) is { } portError)
        {
            context.Error(path + ".port", portError);
        }

        LabelInstances.Validate(context, path + ".sourceLabels", sourceLabels);
        GatewayReferences.Validate(context, path + ".gateways", gateways, gatewaySemantics: false);
    }
}
