using Google.Protobuf.WellKnownTypes;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Filter = Weft.Xds.Envoy.Config.Listener.V3.Filter;

namespace Weft.Proxy.Tests.Support;

/// <summary>Small Envoy resources of the shapes Istio sends, for scripted control planes.</summary>
internal static class XdsResources
{
    public static Cluster EdsCluster(string name) => new()
    {
        Name = name,
        Type = Cluster.Types.DiscoveryType.Eds,
        EdsClusterConfig = new Cluster.Types.EdsClusterConfig { ServiceName = name, EdsConfig = new ConfigSource { Ads = new AggregatedConfigSource() } },
        ConnectTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
    };

    public static Cluster StaticCluster(string name, params (string Ip, int Port)[] endpoints) => new()
    {
        Name = name,
        Type = Cluster.Types.DiscoveryType.Static,
        LoadAssignment = Assignment(name, endpoints),
    };

    public static ClusterLoadAssignment Assignment(string cluster, params (string Ip, int Port)[] endpoints)
    {
        var locality = new LocalityLbEndpoints { Locality = new Locality() };
        foreach (var (ip, port) in endpoints)
        {
            locality.LbEndpoints.Add(new LbEndpoint
            {
                Endpoint = new Endpoint { Address = Address(ip, port) },
                HealthStatus = HealthStatus.Healthy,
                LoadBalancingWeight = 1,
            });
        }

        var assignment = new ClusterLoadAssignment { ClusterName = cluster };
        if (endpoints.Length > 0)
        {
            locality.LoadBalancingWeight = (uint)endpoints.Length;
            assignment.Endpoints.Add(locality);
        }

        return assignment;
    }

    public static Address Address(string ip, int port) => new() { SocketAddress = new SocketAddress { Address = ip, PortValue = (uint)port } };

    /// <summary>Istio's outbound HTTP listener for a port: <c>0.0.0.0_PORT</c>, one HTTP chain, routes by RDS named by the port.</summary>
    public static Listener HttpListener(int port, string? routeName = null) => new()
    {
        Name = $"0.0.0.0_{port}",
        Address = Address("0.0.0.0", port),
        BindToPort = false,
        TrafficDirection = TrafficDirection.Outbound,
        FilterChains =
        {
            new FilterChain
            {
                FilterChainMatch = new FilterChainMatch { TransportProtocol = "raw_buffer", ApplicationProtocols = { "http/1.1", "h2c" } },
                Filters = { ConnectionManagerFilter(new HttpConnectionManager
                {
                    StatPrefix = $"outbound_0.0.0.0_{port}",
                    Rds = new Rds { RouteConfigName = routeName ?? port.ToString(System.Globalization.CultureInfo.InvariantCulture), ConfigSource = new ConfigSource { Ads = new AggregatedConfigSource() } },
                    HttpFilters = { IstioStatsHttp(), new HttpFilter { Name = "envoy.filters.http.router", TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Http.Router.V3.Router()) } },
                }) },
            },
        },
    };

    /// <summary><see cref="HttpListener(int, string?)"/> with one more HTTP filter in front of the router.</summary>
    public static Listener HttpListener(int port, HttpFilter first)
    {
        var listener = HttpListener(port);
        var chain = listener.FilterChains[0];
        var hcm = chain.Filters[0].TypedConfig.Unpack<HttpConnectionManager>();
        hcm.HttpFilters.Insert(0, first);
        chain.Filters[0] = ConnectionManagerFilter(hcm);
        return listener;
    }

    public static Filter ConnectionManagerFilter(HttpConnectionManager hcm) => new()
    {
        Name = "envoy.filters.network.http_connection_manager",
        TypedConfig = Any.Pack(hcm),
    };

    /// <summary>A route configuration with one virtual host per (domain, cluster), each routing everything to the cluster.</summary>
    public static RouteConfiguration Routes(string name, params (string Domain, string Cluster)[] hosts)
    {
        var config = new RouteConfiguration { Name = name, IgnorePortInHostMatching = true, ValidateClusters = false };
        foreach (var (domain, cluster) in hosts)
        {
            config.VirtualHosts.Add(new VirtualHost
            {
                Name = domain,
                Domains = { domain },
                Routes = { new Route { Match = new RouteMatch { Prefix = "/" }, Route_ = new RouteAction { Cluster = cluster, Timeout = new Duration() } } },
            });
        }

        return config;
    }

    /// <summary>A listener with one match-all chain proxying TCP (Istio's <c>VIP_PORT</c> listener for a TCP service).</summary>
    public static Listener TcpListener(string address, int port, TcpProxy proxy, bool bindToPort = false) => new()
    {
        Name = $"{address}_{port}",
        Address = Address(address, port),
        BindToPort = bindToPort,
        TrafficDirection = TrafficDirection.Outbound,
        FilterChains = { new FilterChain { Filters = { IstioStats(), TcpProxyFilter(proxy) } } },
    };

    public static TcpProxy ToCluster(string cluster) => new() { StatPrefix = cluster, Cluster = cluster };

    public static Filter TcpProxyFilter(TcpProxy proxy) => new() { Name = "envoy.filters.network.tcp_proxy", TypedConfig = Any.Pack(proxy) };

    /// <summary>
    /// Istio's stats filter as istiod puts it before every TCP proxy (with nothing overridden): without it a chain's
    /// connections count in no standard metric. <paramref name="inbound"/> sets what istiod sets on inbound listeners.
    /// </summary>
    public static Filter IstioStats(bool inbound = false) =>
        new() { Name = "istio.stats", TypedConfig = Any.Pack(new Weft.Xds.Istio.Stats.PluginConfig { DisableHostHeaderFallback = inbound }) };

    /// <summary>Istio's stats filter as istiod puts it before the router of every connection manager.</summary>
    public static HttpFilter IstioStatsHttp(bool inbound = false) =>
        new() { Name = "istio.stats", TypedConfig = Any.Pack(new Weft.Xds.Istio.Stats.PluginConfig { DisableHostHeaderFallback = inbound }) };

    /// <summary>
    /// Istio's <c>virtualOutbound</c>: its loop guard (its own port to BlackHoleCluster) and the catch-all chain to
    /// PassthroughCluster, with the two clusters.
    /// </summary>
    public static IEnumerable<Google.Protobuf.IMessage> VirtualOutbound() =>
    [
        new Listener
        {
            Name = "virtualOutbound",
            Address = Address("0.0.0.0", 15001),
            UseOriginalDst = true,
            TrafficDirection = TrafficDirection.Outbound,
            FilterChains =
            {
                new FilterChain { Name = "virtualOutbound-blackhole", FilterChainMatch = new FilterChainMatch { DestinationPort = 15001 }, Filters = { IstioStats(), TcpProxyFilter(ToCluster("BlackHoleCluster")) } },
                new FilterChain { Name = "virtualOutbound-catchall-tcp", Filters = { IstioStats(), TcpProxyFilter(ToCluster("PassthroughCluster")) } },
            },
        },
        new Cluster { Name = "PassthroughCluster", Type = Cluster.Types.DiscoveryType.OriginalDst, LbPolicy = Cluster.Types.LbPolicy.ClusterProvided },
        new Cluster { Name = "BlackHoleCluster", Type = Cluster.Types.DiscoveryType.Static },
    ];
}
