using System.Globalization;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Route.V3;
using RouteMatch = Weft.Xds.Envoy.Config.Route.V3.RouteMatch;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// The decorator operation (the span name in traces): <c>HOST:PORT PATH</c> for a route to one cluster, else
/// <c>VSNAME:LISTENERPORT PATH</c>, where a prefix path ends in <c>*</c>.
/// </summary>
internal static class RouteOperations
{
    public static string For(Route route, string vsName, int listenerPort)
    {
        var path = route.Match?.PathSpecifierCase switch
        {
            RouteMatch.PathSpecifierOneofCase.Prefix => route.Match.Prefix + "*",
            RouteMatch.PathSpecifierOneofCase.Path => route.Match.Path,
            RouteMatch.PathSpecifierOneofCase.SafeRegex => route.Match.SafeRegex.Regex,
            _ => "/*",
        };

        if (route.ActionCase == Route.ActionOneofCase.Route_ && ResourceNames.TryParseCluster(route.Route_.Cluster, out var cluster))
        {
            return cluster.Host + ":" + cluster.Port.ToString(CultureInfo.InvariantCulture) + path;
        }

        return vsName + ":" + listenerPort.ToString(CultureInfo.InvariantCulture) + path;
    }
}
