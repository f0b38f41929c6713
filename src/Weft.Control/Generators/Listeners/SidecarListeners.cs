using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// A sidecar's listeners: <c>virtualOutbound</c> (15001) hands captured connections to the per-port outbound listeners
/// (<c>0.0.0.0_PORT</c> for HTTP, shared by every HTTP service on the port; <c>VIP_PORT</c> or <c>0.0.0.0_PORT</c> for
/// TCP), and <c>virtualInbound</c> (15006) holds a chain per port the workload serves.
/// </summary>
internal static class SidecarListeners
{
    public const string TcpProxyName = "envoy.filters.network.tcp_proxy";

    public static IEnumerable<Listener> Build(ProxyNode proxy, PushContext push)
    {
        var bindToPort = proxy.InterceptionMode == "NONE";
        var bindAddress = bindToPort ? "127.0.0.1" : ResourceNames.WildcardAddress;
        if (!bindToPort)
        {
            yield return VirtualOutbound(push.Mesh);
        }

        var byName = new SortedDictionary<string, Listener>(StringComparer.Ordinal);
        foreach (var service in push.ServicesFor(proxy))
        {
            foreach (var port in service.Ports)
            {
                if (port.Protocol == Protocol.Udp)
                {
                    continue;
                }

                if (port.Protocol.IsHttp())
                {
                    var name = $"{bindAddress}_{port.Number}";
                    if (!byName.ContainsKey(name))
                    {
                        byName[name] = HttpOutbound(name, bindAddress, port.Number, bindToPort);
                    }

                    continue;
                }

                var address = service.Addresses.FirstOrDefault(a => !a.Contains('/', StringComparison.Ordinal)) ?? bindAddress;
                var tcpName = $"{address}_{port.Number}";
                if (!byName.ContainsKey(tcpName))
                {
                    byName[tcpName] = TcpOutbound(tcpName, address, port.Number, ResourceNames.OutboundCluster(port.Number, service.Hostname), bindToPort);
                }
            }
        }

        foreach (var listener in byName.Values)
        {
            yield return listener;
        }

        if (!bindToPort)
        {
            yield return VirtualInbound(proxy, push);
        }
    }

    private static Listener VirtualOutbound(MeshConfig mesh)
    {
        var listener = new Listener
        {
            Name = ResourceNames.VirtualOutboundListener,
            Address = Envoy.SocketAddress(ResourceNames.WildcardAddress, mesh.ProxyListenPort),
            UseOriginalDst = true,
            TrafficDirection = TrafficDirection.Outbound,
        };
        listener.FilterChains.Add(new FilterChain
        {
            Name = ResourceNames.VirtualOutboundBlackholeChain,
            FilterChainMatch = new FilterChainMatch { DestinationPort = (uint)mesh.ProxyListenPort },
            Filters = { TcpProxy(ResourceNames.BlackHoleCluster) },
        });
        listener.FilterChains.Add(new FilterChain
        {
            Name = ResourceNames.VirtualOutboundCatchAllTcpChain,
            Filters = { TcpProxy(mesh.AllowAny ? ResourceNames.PassthroughCluster : ResourceNames.BlackHoleCluster) },
        });
        return listener;
    }

    private static Listener HttpOutbound(string name, string address, int port, bool bindToPort)
    {
        var manager = ConnectionManagers.Outbound($"outbound_{ResourceNames.WildcardAddress}_{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new Listener
        {
            Name = name,
            Address = Envoy.SocketAddress(address, port),
            BindToPort = bindToPort,
            TrafficDirection = TrafficDirection.Outbound,
            FilterChains =
            {
                new FilterChain
                {
                    Name = name,
                    Filters = { Envoy.NetworkFilter(ConnectionManagers.Name, manager) },
                },
            },
        };
    }

    private static Listener TcpOutbound(string name, string address, int port, string cluster, bool bindToPort) => new()
    {
        Name = name,
        Address = Envoy.SocketAddress(address, port),
        BindToPort = bindToPort,
        TrafficDirection = TrafficDirection.Outbound,
        FilterChains = { new FilterChain { Name = name, Filters = { TcpProxy(cluster) } } },
    };

    private static Listener VirtualInbound(ProxyNode proxy, PushContext push)
    {
        var listener = new Listener
        {
            Name = ResourceNames.VirtualInboundListener,
            Address = Envoy.SocketAddress(ResourceNames.WildcardAddress, push.Mesh.ProxyInboundListenPort),
            TrafficDirection = TrafficDirection.Inbound,
            FilterChains =
            {
                new FilterChain
                {
                    Name = ResourceNames.VirtualInboundBlackholeChain,
                    FilterChainMatch = new FilterChainMatch { DestinationPort = (uint)push.Mesh.ProxyInboundListenPort },
                    Filters = { TcpProxy(ResourceNames.BlackHoleCluster) },
                },
            },
        };
        var seen = new HashSet<int>();
        foreach (var endpoint in InboundEndpoints.For(proxy, push))
        {
            if (endpoint.Port == 0 || !seen.Add(endpoint.Port))
            {
                continue;
            }

            var cluster = ResourceNames.InboundCluster(endpoint.Port);
            var chainName = $"{ResourceNames.WildcardAddress}_{endpoint.Port}";
            var filter = endpoint.ServicePort.Protocol.IsHttp()
                ? Envoy.NetworkFilter(ConnectionManagers.Name, InboundManager(cluster, endpoint.ServicePort.Number))
                : TcpProxy(cluster);
            listener.FilterChains.Add(new FilterChain
            {
                Name = chainName,
                FilterChainMatch = new FilterChainMatch { DestinationPort = (uint)endpoint.Port },
                Filters = { filter },
            });
        }

        listener.FilterChains.Add(new FilterChain
        {
            Name = ResourceNames.VirtualInboundListener,
            Filters = { TcpProxy(ResourceNames.InboundPassthroughCluster) },
        });
        return listener;
    }

    private static HttpConnectionManager InboundManager(string cluster, int servicePort) => new()
    {
        StatPrefix = cluster,
        CodecType = HttpConnectionManager.Types.CodecType.Auto,
        RouteConfig = new RouteConfiguration
        {
            Name = cluster,
            ValidateClusters = false,
            VirtualHosts =
            {
                new VirtualHost
                {
                    Name = $"inbound|http|{servicePort}",
                    Domains = { "*" },
                    Routes =
                    {
                        new Route
                        {
                            Name = ResourceNames.DefaultRoute,
                            Match = new RouteMatch { Prefix = "/" },
                            Route_ = new RouteAction
                            {
                                Cluster = cluster,
                                Timeout = Envoy.Duration(TimeSpan.Zero),
                                MaxStreamDuration = new RouteAction.Types.MaxStreamDuration
                                {
                                    MaxStreamDuration_ = Envoy.Duration(TimeSpan.Zero),
                                    GrpcTimeoutHeaderMax = Envoy.Duration(TimeSpan.Zero),
                                },
                            },
                            Decorator = new Decorator { Operation = $"{cluster}/*" },
                        },
                    },
                },
            },
        },
        HttpFilters = { HttpFilters.Fault(), HttpFilters.Cors(), HttpFilters.Router() },
        ServerName = "istio-envoy",
        ForwardClientCertDetails = HttpConnectionManager.Types.ForwardClientCertDetails.AppendForward,
        NormalizePath = true,
    };

    public static Filter TcpProxy(string cluster) => Envoy.NetworkFilter(TcpProxyName, new TcpProxy { StatPrefix = cluster, Cluster = cluster });
}
