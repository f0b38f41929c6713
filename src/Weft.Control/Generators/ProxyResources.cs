using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Control.Generators;

/// <summary>
/// Everything a proxy would be served, found the way a client finds it: listeners (all, or the names a proxyless client
/// asks for), the route configurations they name, the clusters (all, or those routes name) and the endpoints of EDS
/// clusters. Used by config dumps, golden files and simulation.
/// </summary>
public sealed record ProxyResources(
    IReadOnlyList<XdsResource> Listeners,
    IReadOnlyList<XdsResource> Routes,
    IReadOnlyList<XdsResource> Clusters,
    IReadOnlyList<XdsResource> Endpoints)
{
    public static ProxyResources Generate(ProxyNode proxy, PushContext push, IReadOnlySet<string>? listenerNames = null, GeneratorSet? generators = null)
    {
        generators ??= GeneratorSet.Default;
        var listeners = generators.For(TypeUrls.Listener)!.Generate(proxy, push, proxy.IsProxylessGrpc ? listenerNames ?? new HashSet<string>() : null);
        var routeNames = new SortedSet<string>(listeners.SelectMany(l => RouteNames((Listener)l.Message)), StringComparer.Ordinal);
        var routes = generators.For(TypeUrls.RouteConfiguration)!.Generate(proxy, push, routeNames);
        IReadOnlySet<string>? clusterNames = proxy.IsProxylessGrpc
            ? new SortedSet<string>(routes.SelectMany(r => ClusterNames((RouteConfiguration)r.Message)), StringComparer.Ordinal)
            : null;
        var clusters = generators.For(TypeUrls.Cluster)!.Generate(proxy, push, clusterNames);
        var edsNames = new SortedSet<string>(clusters.Select(c => (Cluster)c.Message)
            .Where(c => c.Type == Cluster.Types.DiscoveryType.Eds)
            .Select(c => c.EdsClusterConfig?.ServiceName is { Length: > 0 } n ? n : c.Name), StringComparer.Ordinal);
        var endpoints = generators.For(TypeUrls.ClusterLoadAssignment)!.Generate(proxy, push, edsNames);
        return new ProxyResources(listeners, routes, clusters, endpoints);
    }

    /// <summary>The route configurations a listener names through RDS (filter chains, default chain, api_listener).</summary>
    public static IEnumerable<string> RouteNames(Listener listener)
    {
        if (listener.ApiListener?.ApiListener_ is { } api && api.TryUnpack<HttpConnectionManager>(out var apiManager) && apiManager.Rds is { } apiRds)
        {
            yield return apiRds.RouteConfigName;
        }

        var chains = listener.FilterChains.AsEnumerable();
        if (listener.DefaultFilterChain is { } fallback)
        {
            chains = chains.Append(fallback);
        }

        foreach (var chain in chains)
        {
            foreach (var filter in chain.Filters)
            {
                if (filter.TypedConfig is { } config && config.TryUnpack<HttpConnectionManager>(out var manager) && manager.Rds is { } rds)
                {
                    yield return rds.RouteConfigName;
                }
            }
        }
    }

    /// <summary>The clusters a route configuration sends to (single and weighted destinations, mirrors).</summary>
    public static IEnumerable<string> ClusterNames(RouteConfiguration config)
    {
        foreach (var route in config.VirtualHosts.SelectMany(v => v.Routes))
        {
            if (route.Route_ is not { } action)
            {
                continue;
            }

            if (action.Cluster.Length > 0)
            {
                yield return action.Cluster;
            }

            foreach (var weighted in action.WeightedClusters?.Clusters ?? [])
            {
                yield return weighted.Name;
            }

            foreach (var mirror in action.RequestMirrorPolicies)
            {
                yield return mirror.Cluster;
            }
        }
    }
}
