using System.Text.RegularExpressions;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// What a matched route does: forward to a cluster (named, from a header, or weighted: every cluster is reported with its
/// weight), answer with a redirect (the <c>location</c> Envoy would build) or a direct response.
/// </summary>
internal static class RouteActions
{
    public static SimulationResult Apply(SimulationResult result, Route route, Call call, string authority)
    {
        switch (route.ActionCase)
        {
            case Route.ActionOneofCase.Route_:
                return result with { Destinations = Destinations(route.Route_, call) };
            case Route.ActionOneofCase.Redirect:
                return result with { Status = RedirectStatus(route.Redirect.ResponseCode), Location = Location(route.Redirect, route.Match, call, authority) };
            case Route.ActionOneofCase.DirectResponse:
                var body = route.DirectResponse.Body;
                return result with
                {
                    Status = (int)route.DirectResponse.Status,
                    Body = body?.InlineString is { Length: > 0 } text ? text : body?.InlineBytes.ToStringUtf8(),
                };
            default:
                return result.Fail(Failure.NoRoute, $"route {route.Name} has a {route.ActionCase} action, which forwards nowhere");
        }
    }

    private static Destination[] Destinations(RouteAction action, Call call) => action.ClusterSpecifierCase switch
    {
        RouteAction.ClusterSpecifierOneofCase.Cluster => [new Destination(action.Cluster, 1)],
        RouteAction.ClusterSpecifierOneofCase.ClusterHeader => [new Destination(call.Header(action.ClusterHeader) ?? string.Empty, 1)],
        RouteAction.ClusterSpecifierOneofCase.WeightedClusters =>
            action.WeightedClusters.Clusters.Select(c => new Destination(c.Name, c.Weight ?? 0)).ToArray(),
        _ => [],
    };

    private static int RedirectStatus(RedirectAction.Types.RedirectResponseCode code) => code switch
    {
        RedirectAction.Types.RedirectResponseCode.Found => 302,
        RedirectAction.Types.RedirectResponseCode.SeeOther => 303,
        RedirectAction.Types.RedirectResponseCode.TemporaryRedirect => 307,
        RedirectAction.Types.RedirectResponseCode.PermanentRedirect => 308,
        _ => 301,
    };

    private static string Location(RedirectAction redirect, RouteMatch match, Call call, string authority)
    {
        var scheme = redirect.SchemeRewriteSpecifierCase switch
        {
            RedirectAction.SchemeRewriteSpecifierOneofCase.HttpsRedirect when redirect.HttpsRedirect => "https",
            RedirectAction.SchemeRewriteSpecifierOneofCase.SchemeRedirect => redirect.SchemeRedirect,
            _ => call.Scheme,
        };
        var host = redirect.HostRedirect.Length > 0 ? redirect.HostRedirect : authority;
        if (redirect.PortRedirect > 0)
        {
            host = $"{VirtualHostSelector.WithoutPort(host)}:{redirect.PortRedirect}";
        }

        var query = call.Path.IndexOf('?', StringComparison.Ordinal) is var q && q >= 0 && !redirect.StripQuery ? call.Path[q..] : string.Empty;
        var path = q >= 0 ? call.Path[..q] : call.Path;
        path = redirect.PathRewriteSpecifierCase switch
        {
            RedirectAction.PathRewriteSpecifierOneofCase.PathRedirect => redirect.PathRedirect,
            RedirectAction.PathRewriteSpecifierOneofCase.PrefixRewrite when match.PathSpecifierCase == RouteMatch.PathSpecifierOneofCase.Prefix =>
                redirect.PrefixRewrite + path[match.Prefix.Length..],
            RedirectAction.PathRewriteSpecifierOneofCase.PrefixRewrite => redirect.PrefixRewrite,
            RedirectAction.PathRewriteSpecifierOneofCase.RegexRewrite => Regex.Replace(path, redirect.RegexRewrite.Pattern.Regex,
                Regex.Replace(redirect.RegexRewrite.Substitution, @"\\(\d)", "$$$1"), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
            _ => path,
        };

        // A path_redirect with its own query replaces the request's query.
        return path.Contains('?', StringComparison.Ordinal) ? $"{scheme}://{host}{path}" : $"{scheme}://{host}{path}{query}";
    }
}
