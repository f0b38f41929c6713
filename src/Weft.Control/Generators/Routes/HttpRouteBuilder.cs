using Google.Protobuf.WellKnownTypes;
using Weft.Api.Model.Networking;
using Weft.Control.Generators.Listeners;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// Translates VirtualService HTTP routes into Envoy routes, in order: each <c>match</c> entry becomes one route, a route
/// without matches (or a match that takes every request) is a catch-all that ends the list, and entries that do not
/// apply to this listener or proxy are skipped. The parts live next door: matches, destinations, retries, faults, ….
/// </summary>
internal static class HttpRouteBuilder
{
    /// <summary>The filter-metadata namespace Istio writes config provenance under.</summary>
    public const string IstioMetadataKey = "istio";

    /// <summary>The routes of one VirtualService for this context; empty when none of its routes applies.</summary>
    public static IReadOnlyList<Route> Build(RouteContext context, VirtualServiceView vs)
    {
        var routes = new List<Route>();
        foreach (var http in vs.Http)
        {
            var catchAll = false;
            if (http.Match is not { Count: > 0 } matches)
            {
                if (Translate(context, vs, http, null) is { } route)
                {
                    routes.Add(route);
                }

                catchAll = true;
            }
            else
            {
                foreach (var match in matches)
                {
                    if (Translate(context, vs, http, match) is not { } route)
                    {
                        continue;
                    }

                    routes.Add(route);
                    if (RouteMatches.IsCatchAll(route.Match))
                    {
                        catchAll = true;
                        break;
                    }
                }
            }

            // Envoy takes the first route that matches, so nothing after a catch-all could ever be used.
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
        var action = new RouteAction
        {
            Cluster = ResourceNames.OutboundCluster(port.Number, service.Hostname),

            // Istio keeps the previous-hosts predicate here even when the service hashes requests to hosts.
            RetryPolicy = RetryPolicies.Default(),
        };

        // Built once for every kind of proxy, so proxyless clients too get max_grpc_timeout rather than max_stream_duration.
        RouteTimeouts.Apply(action, timeout: null, proxy: null);
        action.HashPolicy.AddRange(DestinationHashes.Policies(DestinationHashes.ForService(context, service, port.Number)));
        return new Route
        {
            Name = ResourceNames.DefaultRoute,
            Match = RouteMatches.Translate(null),
            Route_ = action,
            Decorator = new Decorator { Operation = $"{service.Hostname}:{port.Number}/*" },
        };
    }

    /// <summary>The cluster of a destination: explicit port, else the service's only port, else the listener's port.</summary>
    public static string ClusterFor(RouteContext context, VirtualServiceView vs, Destination destination)
    {
        var host = DestinationClusters.Host(destination, vs.Namespace);
        return DestinationClusters.Name(context, destination, host, DestinationClusters.Service(context, host));
    }

    private static Route? Translate(RouteContext context, VirtualServiceView vs, HTTPRoute http, HTTPMatchRequest? match)
    {
        if (!MatchScope.Applies(context, match))
        {
            return null;
        }

        var route = new Route
        {
            Name = match?.Name is { Length: > 0 } matchName ? $"{http.Name}.{matchName}" : http.Name ?? string.Empty,
            Match = RouteMatches.Translate(match),
            Metadata = ConfigMetadata(vs),
        };
        if (match?.StatPrefix is { Length: > 0 } statPrefix)
        {
            route.StatPrefix = statPrefix;
        }

        var authority = string.Empty;
        if (http.Headers is { } headers)
        {
            var changes = HeaderChanges.From(headers);
            route.RequestHeadersToAdd.AddRange(changes.RequestToAdd);
            route.RequestHeadersToRemove.AddRange(changes.RequestToRemove);
            route.ResponseHeadersToAdd.AddRange(changes.ResponseToAdd);
            route.ResponseHeadersToRemove.AddRange(changes.ResponseToRemove);
            authority = changes.Authority;
        }

        if (http.Redirect is { } redirect)
        {
            // An unsupported status code leaves the route without an action, as Istio does (validation admits any 3xx).
            if (Redirects.Translate(redirect, context.ListenerPort, context.IsTls) is { } action)
            {
                route.Redirect = action;
            }
        }
        else if (http.DirectResponse is { } response)
        {
            route.DirectResponse = DirectResponses.Translate(response);
        }
        else
        {
            route.Route_ = Forward(context, vs, http, route, authority);
        }

        route.Decorator = new Decorator { Operation = RouteOperations.For(route, vs.Name, context.ListenerPort) };
        if (http.Fault is { } fault)
        {
            route.TypedPerFilterConfig[HttpFilters.FaultName] = Any.Pack(Faults.Translate(fault));
        }

        if (http.CorsPolicy is { } cors)
        {
            route.TypedPerFilterConfig[HttpFilters.CorsName] = Any.Pack(CorsPolicies.Translate(cors));
        }

        return route;
    }

    private static RouteAction Forward(RouteContext context, VirtualServiceView vs, HTTPRoute http, Route route, string authority)
    {
        var action = new RouteAction();
        RouteTimeouts.Apply(action, http.Timeout, context.Proxy);
        if (http.Rewrite is { } rewrite)
        {
            if (rewrite.UriRegexRewrite is { } regexRewrite)
            {
                action.RegexRewrite = new RegexMatchAndSubstitute
                {
                    Pattern = StringMatchers.Regex(regexRewrite.Match ?? string.Empty),
                    Substitution = regexRewrite.Rewrite ?? string.Empty,
                };
            }
            else if (!string.IsNullOrEmpty(rewrite.Uri))
            {
                action.PrefixRewrite = rewrite.Uri;
            }

            // An explicit rewrite beats a Host header set under headers.
            if (!string.IsNullOrEmpty(rewrite.Authority))
            {
                authority = rewrite.Authority;
            }
        }

        if (authority.Length > 0)
        {
            action.HostRewriteLiteral = authority;
        }

        action.RequestMirrorPolicies.AddRange(Mirrors.For(context, vs.Namespace, http));
        var consistentHash = RouteDestinations.Apply(context, vs.Namespace, http, route, action);
        if (RetryPolicies.For(http.Retries, consistentHash) is { } retry)
        {
            action.RetryPolicy = retry;
        }

        return action;
    }

    /// <summary>Route metadata naming the VirtualService the route came from, for config dumps and telemetry.</summary>
    private static Metadata ConfigMetadata(VirtualServiceView vs) => new()
    {
        FilterMetadata = { [IstioMetadataKey] = Envoy.Struct(("config", Value.ForString(vs.ConfigPath))) },
    };
}
