using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// <c>mirror</c> and <c>mirrors</c> as Envoy request mirror policies: a copy of each request goes to the mirror cluster
/// (responses ignored) for the given share of requests, all of them when no share is given and none for an explicit 0.
/// </summary>
internal static class Mirrors
{
    public static IEnumerable<RouteAction.Types.RequestMirrorPolicy> For(RouteContext context, string vsNamespace, HTTPRoute http)
    {
        if (http.Mirror is { } mirror && Share(http) is { } share)
        {
            yield return Policy(context, vsNamespace, mirror, share);
        }

        foreach (var policy in http.Mirrors ?? [])
        {
            if (policy.Destination is { } destination && Share(policy.Percentage) is { } policyShare)
            {
                yield return Policy(context, vsNamespace, destination, policyShare);
            }
        }
    }

    /// <summary>The share for the single <c>mirror</c>: <c>mirrorPercentage</c>, else the deprecated integer field.</summary>
    private static RuntimeFractionalPercent? Share(HTTPRoute http)
    {
        if (http.MirrorPercentage is { } percentage)
        {
            return Share(percentage);
        }

        if ((http.MirrorPercent ?? http.Mirror_percent) is { } percent)
        {
            return percent > 0 ? Percentages.Runtime(Percentages.OfInteger(percent)) : null;
        }

        return Percentages.Runtime(Percentages.OfInteger(100));
    }

    private static RuntimeFractionalPercent? Share(Percent? percentage) => percentage switch
    {
        null => Percentages.Runtime(Percentages.OfInteger(100)),
        { Value: > 0 } => Percentages.Runtime(Percentages.Of(percentage)),
        _ => null,
    };

    private static RouteAction.Types.RequestMirrorPolicy Policy(RouteContext context, string vsNamespace, Destination destination, RuntimeFractionalPercent share)
    {
        var host = DestinationClusters.Host(destination, vsNamespace);
        return new RouteAction.Types.RequestMirrorPolicy
        {
            Cluster = DestinationClusters.Name(context, destination, host, DestinationClusters.Service(context, host)),
            RuntimeFraction = share,
            TraceSampled = false,

            // The mirrored request keeps its Host; Envoy would otherwise append "-shadow" to it.
            DisableShadowHostSuffixAppend = true,
        };
    }
}
