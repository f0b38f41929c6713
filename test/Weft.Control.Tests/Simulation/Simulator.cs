using Weft.Control.Generators;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// Sends a described call through what a proxy is served and reports where it lands, deciding each step as Envoy (or
/// gRPC's xDS client) would: the listener (<see cref="ListenerSelector"/>), the filter chain
/// (<see cref="FilterChainSelector"/>), then either the TCP proxy's cluster or the HTTP connection manager's route
/// configuration, virtual host (<see cref="VirtualHostSelector"/>), first matching route (<see cref="RouteMatcher"/>) and
/// its action (<see cref="RouteActions"/>); finally whether each destination cluster is served and its endpoints.
/// </summary>
internal sealed class Simulator(ProxyResources resources)
{
    private readonly IReadOnlyList<Listener> _listeners = resources.Listeners.Select(r => (Listener)r.Message).ToArray();
    private readonly IReadOnlyDictionary<string, Cluster> _clusters = resources.Clusters.ToDictionary(r => r.Name, r => (Cluster)r.Message, StringComparer.Ordinal);

    /// <summary>A proxyless gRPC client: it holds api_listeners, and a call names its listener by its dial target.</summary>
    public bool IsProxyless => _listeners.Any(l => l.ApiListener is not null);

    public SimulationResult Run(Call call) => IsProxyless ? Proxyless(call) : Connection(call);

    private SimulationResult Connection(Call call)
    {
        var listener = ListenerSelector.ForConnection(_listeners, call);
        if (listener is null)
        {
            return new SimulationResult().Fail(Failure.NoListener, $"no listener takes a connection to {call.Address}:{call.Port}");
        }

        var result = new SimulationResult { Listener = listener.Name };
        var (chain, failure, reason) = FilterChainSelector.Select(listener, ConnectionFacts.Of(listener, call));
        if (chain is null)
        {
            return result.Fail(failure, reason!);
        }

        result = result with { FilterChain = chain.Name };
        foreach (var filter in chain.Filters)
        {
            if (filter.TypedConfig is not { } config)
            {
                continue;
            }

            if (config.TryUnpack<TcpProxy>(out var tcp))
            {
                return Forward(result, TcpDestinations(tcp), call);
            }

            if (config.TryUnpack<HttpConnectionManager>(out var manager))
            {
                var terminated = call.Protocol == CallProtocol.Tls && chain.TransportSocket is not null;
                return call.Protocol == CallProtocol.Http || terminated
                    ? Http(result, manager, call, HostFor(manager, call), proxyless: false)
                    : result.Fail(Failure.ProtocolMismatch, $"a {call.Protocol} connection reached the HTTP connection manager of chain {chain.Name}");
            }
        }

        return result.Fail(Failure.NoFilterChain, $"chain {chain.Name} has neither a TCP proxy nor an HTTP connection manager");
    }

    private SimulationResult Proxyless(Call call)
    {
        var target = call.Authority;
        var listener = ListenerSelector.ForTarget(_listeners, target);
        if (listener is null || !listener.ApiListener.ApiListener_.TryUnpack<HttpConnectionManager>(out var manager))
        {
            return new SimulationResult().Fail(Failure.NoListener, $"no api_listener named {target} (the client asks LDS for its dial target)");
        }

        return Http(new SimulationResult { Listener = listener.Name }, manager, call, target, proxyless: true);
    }

    private SimulationResult Http(SimulationResult result, HttpConnectionManager manager, Call call, string authority, bool proxyless)
    {
        var config = manager.RouteConfig ?? resources.Routes.Select(r => (RouteConfiguration)r.Message).FirstOrDefault(r => r.Name == manager.Rds?.RouteConfigName);
        result = result with { RouteConfig = manager.RouteConfig?.Name ?? manager.Rds?.RouteConfigName };
        if (config is null)
        {
            return result.Fail(Failure.MissingRouteConfig, $"route configuration {manager.Rds?.RouteConfigName} is not served");
        }

        if (VirtualHostSelector.DuplicateDomain(config) is { } duplicate)
        {
            return result.Fail(Failure.InvalidRouteConfig, $"domain {duplicate} is listed twice in route configuration {config.Name}");
        }

        // gRPC's client matches its dial target as is; Envoy may ignore the port.
        var vhost = VirtualHostSelector.Select(config, authority, !proxyless && config.IgnorePortInHostMatching);
        if (vhost is null)
        {
            return result.Fail(Failure.NoRoute, $"no virtual host of {config.Name} matches host {authority}");
        }

        result = result with { VirtualHost = vhost.Name };
        var route = vhost.Routes.FirstOrDefault(r => RouteMatcher.Matches(r.Match ?? new RouteMatch(), call, authority));
        if (route is null)
        {
            return result.Fail(Failure.NoRoute, $"no route of virtual host {vhost.Name} matches {call.Method} {call.Path}");
        }

        result = RouteActions.Apply(result with { Route = route.Name }, route, call, authority);
        return result.Destinations.Count > 0 ? Forward(result, result.Destinations, call) : result;
    }

    private SimulationResult Forward(SimulationResult result, IReadOnlyList<Destination> destinations, Call call)
    {
        result = result with { Destinations = destinations };
        var missing = destinations.Where(d => d.Weight > 0 && !_clusters.ContainsKey(d.Cluster)).Select(d => d.Cluster).ToArray();
        if (missing.Length > 0)
        {
            return result.Fail(Failure.ClusterNotFound, $"cluster {string.Join(", ", missing)} is not served");
        }

        var endpoints = destinations.Where(d => _clusters.ContainsKey(d.Cluster))
            .ToDictionary(d => d.Cluster, d => EndpointLookup.For(_clusters[d.Cluster], resources, call), StringComparer.Ordinal);
        return result with { Endpoints = endpoints };
    }

    private static Destination[] TcpDestinations(TcpProxy tcp) => tcp.ClusterSpecifierCase == TcpProxy.ClusterSpecifierOneofCase.WeightedClusters
        ? tcp.WeightedClusters.Clusters.Select(c => new Destination(c.Name, c.Weight)).ToArray()
        : [new Destination(tcp.Cluster, 1)];

    /// <summary>The host the connection manager routes on, after its own rewrites of the Host header.</summary>
    private static string HostFor(HttpConnectionManager manager, Call call)
    {
        var host = call.Authority;
        var withoutPort = VirtualHostSelector.WithoutPort(host);
        var port = host.Length > withoutPort.Length ? host[(withoutPort.Length + 1)..] : null;
        if (manager.StripTrailingHostDot && withoutPort.EndsWith('.'))
        {
            withoutPort = withoutPort[..^1];
        }

        var stripPort = manager.StripAnyHostPort
            || (manager.StripMatchingHostPort && port == call.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return port is null || stripPort ? withoutPort : $"{withoutPort}:{port}";
    }
}
