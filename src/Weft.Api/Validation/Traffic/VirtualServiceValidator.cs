using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;
using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Traffic;

/// <summary>Istio's semantic rules for VirtualService (<c>ValidateVirtualService</c>).</summary>
internal sealed class VirtualServiceValidator : ISpecValidator
{
    /// <summary>Set on VirtualServices converted from the Kubernetes Gateway API; relaxes name and destination checks.</summary>
    public const string RouteSemanticsAnnotation = "internal.istio.io/route-semantics";

    public string Kind => "VirtualService";

    public void Validate(ValidationContext context)
    {
        var resource = context.Resource;
        var spec = resource.Spec as VirtualServiceSpec ?? new VirtualServiceSpec();
        var hosts = spec.Hosts ?? [];
        var gateways = spec.Gateways ?? [];

        if (hosts.Count == 0)
        {
            // Without hosts this is a delegate, which may only carry HTTP routes.
            if (gateways.Count != 0)
            {
                context.Error("spec.gateways", "delegate virtual service must have no gateways specified");
            }

            if (spec.Tls is { Count: > 0 })
            {
                context.Error("spec.tls", "delegate virtual service must have no tls route specified");
            }

            if (spec.Tcp is { Count: > 0 })
            {
                context.Error("spec.tcp", "delegate virtual service must have no tcp route specified");
            }
        }

        var gatewaySemantics = resource.Metadata.Annotations.TryGetValue(RouteSemanticsAnnotation, out var semantics) && semantics == "gateway";
        var appliesToGateway = false;
        bool appliesToMesh;
        if (gateways.Count == 0)
        {
            appliesToMesh = true;
        }
        else
        {
            GatewayReferences.Validate(context, "spec.gateways", gateways, gatewaySemantics);
            appliesToGateway = VirtualServiceHosts.IsBoundToGateway(spec);
            appliesToMesh = !appliesToGateway;
        }

        if (!appliesToGateway)
        {
            CheckJwtClaimRoutes(context, spec);
        }

        CheckHosts(context, spec, hosts, appliesToGateway, appliesToMesh);

        if (spec.Http is not { Count: > 0 } && spec.Tcp is not { Count: > 0 } && spec.Tls is not { Count: > 0 })
        {
            context.Error("spec", "http, tcp or tls must be provided in virtual service");
        }

        if (spec.Http is { } http)
        {
            for (var i = 0; i < http.Count; i++)
            {
                HttpRouteRules.Validate(context, $"spec.http[{i}]", http[i], hosts.Count == 0, gatewaySemantics);
            }
        }

        if (spec.Tls is { } tls)
        {
            for (var i = 0; i < tls.Count; i++)
            {
                L4RouteRules.ValidateTls(context, $"spec.tls[{i}]", tls[i], spec, gatewaySemantics);
            }
        }

        if (spec.Tcp is { } tcp)
        {
            for (var i = 0; i < tcp.Count; i++)
            {
                L4RouteRules.ValidateTcp(context, $"spec.tcp[{i}]", tcp[i], gatewaySemantics);
            }
        }

        ExportTo.Validate(context, "spec.exportTo", context.ConfigNamespace, spec.ExportTo, isServiceEntry: false, isDestinationRuleWithSelector: false);

        RouteAnalysis.AnalyzeHttp(context, "spec.http", spec.Http);
        RouteAnalysis.AnalyzeTcp(context, "spec.tcp", spec.Tcp);
        RouteAnalysis.AnalyzeTls(context, "spec.tls", spec.Tls);
    }

    // Routing on JWT claims (@request.auth.claims.*) works only on gateways, not for sidecars.
    private static void CheckJwtClaimRoutes(ValidationContext context, VirtualServiceSpec spec)
    {
        if (spec.Http is not { } http)
        {
            return;
        }

        for (var i = 0; i < http.Count; i++)
        {
            if (http[i].Match is not { } matches)
            {
                continue;
            }

            for (var j = 0; j < matches.Count; j++)
            {
                CheckJwtClaims(context, $"spec.http[{i}].match[{j}].headers", matches[j].Headers, spec.Gateways);
                CheckJwtClaims(context, $"spec.http[{i}].match[{j}].withoutHeaders", matches[j].WithoutHeaders, spec.Gateways);
            }
        }
    }

    private static void CheckJwtClaims(ValidationContext context, string path, IReadOnlyDictionary<string, StringMatch>? headers, IReadOnlyList<string>? gateways)
    {
        if (headers is null)
        {
            return;
        }

        foreach (var key in headers.Keys)
        {
            if (HttpHeaders.IsJwtClaimRoute(key))
            {
                context.Error($"{path}[{key}]", $"JWT claim based routing (key: {key}) is only supported for gateway, found no gateways: {GoFmt.List(gateways)}");
            }
        }
    }

    private static void CheckHosts(ValidationContext context, VirtualServiceSpec spec, IReadOnlyList<string> hosts, bool appliesToGateway, bool appliesToMesh)
    {
        var allHostsValid = true;
        var sni = appliesToGateway && VirtualServiceHosts.HasSniHosts(spec);
        for (var i = 0; i < hosts.Count; i++)
        {
            var host = hosts[i];
            var error = appliesToGateway
                ? VirtualServiceHosts.ValidateBoundToGateway(sni, host)
                : DnsNames.ValidateWildcardDomain(host);
            if (error is not null)
            {
                // An IP address is an acceptable host.
                if (!GoNetip.IsValidAddress(host))
                {
                    context.Error($"spec.hosts[{i}]", error);
                    allHostsValid = false;
                }
            }
            else if (appliesToMesh && host == "*")
            {
                context.Error($"spec.hosts[{i}]", "wildcard host * is not allowed for virtual services bound to the mesh gateway");
                allHostsValid = false;
            }
        }

        if (!allHostsValid)
        {
            return;
        }

        // Duplicates include wildcard overlaps: *.foo.com and *.com.
        for (var i = 0; i < hosts.Count; i++)
        {
            for (var j = i + 1; j < hosts.Count; j++)
            {
                if (HostNames.Matches(hosts[i], hosts[j]))
                {
                    context.Error($"spec.hosts[{j}]", $"duplicate hosts in virtual service: {hosts[i]} & {hosts[j]}");
                }
            }
        }
    }
}
