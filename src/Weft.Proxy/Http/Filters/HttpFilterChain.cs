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
        var levels = new Levels(route?.Filters, vhost?.Filters, routes.Filters);
        foreach (var filter in manager.HttpFilters)
        {
            if (levels.Disabled(filter.Name) ?? filter.DisabledByDefault)
            {
                continue;
            }

            switch (filter)
            {
                case FaultFilterModel fault:
                    var policy = levels.Config(filter.Name) as FaultPolicy ?? fault.Defaults;
                    if (!policy.IsEmpty && await FaultInjection.RunAsync(context, policy, request, route, draw, random, time).ConfigureAwait(false))
                    {
                        return true;
                    }

                    break;
                case CorsFilterModel:
                    // Envoy's CORS filter acts on forwarding routes only (not redirects, direct responses or no route).
                    if (route?.Behavior is ForwardAction && levels.CorsPolicies(filter.Name) is { Count: > 0 } policies
                        && await CorsFilter.RunAsync(context, policies, random).ConfigureAwait(false))
                    {
                        return true;
                    }

                    break;
            }
        }

        return false;
    }

    /// <summary>The per-filter configs of a request's route, virtual host and route configuration, most specific first.</summary>
    private readonly record struct Levels(FilterOverrides? Route, FilterOverrides? VirtualHost, FilterOverrides Table)
    {
        public bool? Disabled(string name) => Route?.Disabled(name) ?? VirtualHost?.Disabled(name) ?? Table.Disabled(name);

        public object? Config(string name) => Route?.Config(name) ?? VirtualHost?.Config(name) ?? Table.Config(name);

        public List<CorsPolicyModel>? CorsPolicies(string name)
        {
            List<CorsPolicyModel>? policies = null;
            foreach (var level in (ReadOnlySpan<FilterOverrides?>)[Route, VirtualHost, Table])
            {
                if (level?.Config(name) is CorsPolicyModel policy)
                {
                    (policies ??= []).Add(policy);
                }
            }

            return policies;
        }
    }
}
