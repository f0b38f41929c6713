using Weft.Api.Model.Networking;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Route.V3;
using RouteMatch = Weft.Xds.Envoy.Config.Route.V3.RouteMatch;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// Translates VirtualService HTTP routes into Envoy routes, in order: each <c>match</c> entry becomes one route, a route
/// without matches is a catch-all that ends the list, and entries that do not apply to this listener or proxy are skipped.
/// </summary>
internal static class HttpRouteBuilder
{
    public static IReadOnlyList<Route> Build(RouteContext context, VirtualServiceView vs)
    {
        var routes = new List<Route>();
        foreach (var http in vs.Http)
        {
            var matches = http.Match is { Count: > 0 } m ? m : [null!];
            var catchAll = http.Match is not { Count: > 0 };
            foreach (var match in matches)
            {
                var route = new Route
                {
                    Name = http.Name ?? string.Empty,
                    Match = new RouteMatch { Prefix = "/" },
                    Route_ = Action(context, vs, http),
                };
                if (match?.Uri is { } uri)
                {
                    if (uri.Exact is not null)
                    {
                        route.Match.Path = uri.Exact;
                    }
                    else if (uri.Prefix is not null)
                    {
                        route.Match.Prefix = uri.Prefix;
                    }
                }

                routes.Add(route);
            }

            if (catchAll)
            {
                break;
            }
        }

        return routes;
    }

    /// <summary>The route of a service without a VirtualService: everything to its default cluster.</summary>
    public static Route DefaultRoute(RouteContext context, MeshService service, Registry.ServicePort port)
    {
        _ = context;
        return new Route
        {
            Name = ResourceNames.DefaultRoute,
            Match = new RouteMatch { Prefix = "/" },
            Route_ = new RouteAction
            {
                Cluster = ResourceNames.OutboundCluster(port.Number, service.Hostname),
                Timeout = Envoy.Duration(TimeSpan.Zero),
                RetryPolicy = RetryPolicies.Default(),
            },
            Decorator = new Decorator { Operation = $"{service.Hostname}:{port.Number}/*" },
        };
    }

    private static RouteAction Action(RouteContext context, VirtualServiceView vs, HTTPRoute http)
    {
        var action = new RouteAction { Timeout = Envoy.Duration(TimeSpan.Zero), RetryPolicy = RetryPolicies.Default() };
        var destinations = (http.Route ?? []).Where(d => (d.Weight ?? 0) > 0 || http.Route!.Count == 1).ToList();
        if (destinations.Count == 1)
        {
            action.Cluster = ClusterFor(context, vs, destinations[0].Destination!);
        }
        else
        {
            var weighted = new WeightedCluster();
            foreach (var d in destinations)
            {
                weighted.Clusters.Add(new WeightedCluster.Types.ClusterWeight { Name = ClusterFor(context, vs, d.Destination!), Weight = (uint)(d.Weight ?? 0) });
            }

            action.WeightedClusters = weighted;
        }

        return action;
    }

    /// <summary>The cluster of a destination: explicit port, else the service's only port, else the listener's port.</summary>
    public static string ClusterFor(RouteContext context, VirtualServiceView vs, Destination destination)
    {
        var host = Model.Hosts.Resolve(destination.Host ?? string.Empty, vs.Namespace);
        var service = context.Push.Service(host, context.Proxy.Namespace);
        var port = destination.Port?.Number is { } explicitPort ? (int)explicitPort
            : service?.Ports.Count == 1 ? service.Ports[0].Number
            : context.ListenerPort;
        return ResourceNames.OutboundCluster(port, host, destination.Subset ?? string.Empty);
    }
}
