using Microsoft.AspNetCore.Http;
using Weft.Proxy.Snapshot.Filters;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Snapshot.Routes;

namespace Weft.Proxy.Http.Filters;

/// <summary>
/// Runs the connection manager's HTTP filters before the router, in its order, each with its most specific config:
/// the route's <c>typed_per_filter_config</c>, else the virtual host's, else the route configuration's, else the
/// filter's own. A <c>FilterConfig</c> at the most specific level that has one disables or enables the filter there.
/// </summary>
internal static class HttpFilterChain
{
    /// <summary>True when a filter answered the request (the router then does nothing).</summary>
    public static async Task<bool> RunAsync(
        HttpContext context,
        ConnectionManagerModel manager,
        RouteTable routes,
        VirtualHostEntry? vhost,
        RouteEntry? route,
        RouteRequest request,
        ulong draw,
        Func<ulong> random,
        TimeProvider time)
    {
        foreach (var filter in manager.HttpFilters)
        {
            FilterOverrides[] levels = route is not null && vhost is not null ? [route.Filters, vhost.Filters, routes.Filters]
                : vhost is not null ? [vhost.Filters, routes.Filters]
                : [routes.Filters];
            var disabled = levels.Select(l => l.Disabled(filter.Name)).FirstOrDefault(d => d is not null) ?? filter.DisabledByDefault;
            if (disabled)
            {
                continue;
            }

            switch (filter)
            {
                case FaultFilterModel fault:
                    var policy = levels.Select(l => l.Config(filter.Name)).OfType<FaultPolicy>().FirstOrDefault() ?? fault.Defaults;
                    if (await FaultInjection.RunAsync(context, policy, request, () => ClusterOf(route, request, draw), random, time).ConfigureAwait(false))
                    {
                        return true;
                    }

                    break;
                case CorsFilterModel:
                    // Envoy's CORS filter acts on forwarding routes only (not redirects, direct responses or no route).
                    if (route?.Behavior is ForwardAction)
                    {
                        var policies = levels.Select(l => l.Config(filter.Name)).OfType<CorsPolicyModel>().ToArray();
                        if (await CorsFilter.RunAsync(context, policies, random).ConfigureAwait(false))
                        {
                            return true;
                        }
                    }

                    break;
            }
        }

        return false;
    }

    /// <summary>The cluster the router will choose (the same draw picks the same weighted cluster).</summary>
    private static string? ClusterOf(RouteEntry? route, RouteRequest request, ulong draw) =>
        route?.Behavior is ForwardAction forward ? forward.Clusters.Pick(request, draw).Cluster : null;
}
