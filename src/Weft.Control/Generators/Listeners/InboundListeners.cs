using Weft.Control.Generators.Authorization;
using Weft.Control.Generators.Clusters;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// A sidecar's inbound listeners, as Istio's buildInboundListeners writes them: <c>virtualInbound</c> (mesh
/// <c>proxyInboundListenPort</c>, 15006) receives redirected connections and holds, in order, a loop guard, the
/// passthrough chains for undeclared ports, and the chains of each declared port (<c>0.0.0.0_PORT</c>, matched by
/// destination port, ascending); a port that binds for real (Sidecar ingress with <c>captureMode: NONE</c>, or a proxy
/// without interception) is its own listener <c>BIND_PORT</c> instead. Each port gets the chains of its PeerAuthentication
/// mode (<see cref="InboundMatchOption.For"/>); the passthrough chains take the workload's mode, and a port its
/// <c>portLevelMtls</c> names that nothing declares gets passthrough chains of its own, matched by destination port.
/// </summary>
internal static class InboundListeners
{
    public static IEnumerable<Listener> Build(ProxyNode proxy, PushContext push)
    {
        var addresses = ProxyAddresses.For(proxy);
        var authorization = AuthorizationFilters.For(proxy, push);
        var headers = ProxyHeaderSettings.For(proxy, push.Mesh);
        var peer = PeerAuthenticationModes.ForWorkload(push, proxy.Namespace, proxy.Labels);
        var virtualChains = new List<FilterChain>();
        var bound = new List<Listener>();
        var configs = InboundChainConfigs.Build(proxy, push);
        foreach (var config in configs)
        {
            var chains = Chains(config, peer.ForPort(config.TargetPort), authorization, headers, push.Mesh);
            if (config.BindToPort)
            {
                bound.Add(Listener(config.Name(ListenerProtocol.Tcp), Envoy.SocketAddress(config.Bind, config.TargetPort), chains, bindToPort: true, proxy, push.Mesh));
            }
            else
            {
                virtualChains.AddRange(chains);
            }
        }

        if (!ProxyAddresses.NoInterception(proxy))
        {
            var all = new List<FilterChain> { Blackhole(push.Mesh) };
            foreach (var port in PassthroughPorts(peer, configs))
            {
                all.AddRange(Chains(Passthrough(port), peer.ForPort(port), authorization, headers, push.Mesh));
            }

            all.AddRange(virtualChains);
            yield return Listener(
                ResourceNames.VirtualInboundListener, Envoy.SocketAddress(addresses.Wildcard, push.Mesh.ProxyInboundListenPort), all, bindToPort: false, proxy, push.Mesh);
        }

        foreach (var listener in bound)
        {
            yield return listener;
        }
    }

    /// <summary>
    /// The ports passthrough chains are built for (Istio's ForPassthrough): 0 (any port) first, then, ascending, each
    /// port of the workload's <c>portLevelMtls</c> that no declared port (service target port or Sidecar ingress) covers.
    /// </summary>
    private static IEnumerable<int> PassthroughPorts(WorkloadPeerAuthentication peer, IReadOnlyList<InboundChainConfig> configs)
    {
        yield return 0;
        foreach (var port in peer.PerPort.Keys.Where(p => p > 0 && configs.All(c => c.TargetPort != p)).Order())
        {
            yield return port;
        }
    }

    private static InboundChainConfig Passthrough(int port) => new(
        ResourceNames.InboundPassthroughCluster, new ServicePort(ResourceNames.VirtualInboundListener, 0, Protocol.Unsupported), port, string.Empty, BindToPort: false, string.Empty)
    {
        Passthrough = true,
    };

    /// <summary>
    /// A port's chains for its mTLS mode; the metadata exchange and authorization apply to every one of them, the
    /// passthrough chains included.
    /// </summary>
    private static List<FilterChain> Chains(InboundChainConfig config, MutualTlsMode mode, AuthorizationFilters authorization, ProxyHeaders headers, MeshConfig mesh)
    {
        var chains = new List<FilterChain>();
        foreach (var option in InboundMatchOption.For(ListenerProtocols.Of(config.Port.Protocol), mode))
        {
            var match = new FilterChainMatch { TransportProtocol = option.TransportProtocol };
            match.ApplicationProtocols.AddRange(option.ApplicationProtocols);
            if (config.TargetPort > 0)
            {
                match.DestinationPort = (uint)config.TargetPort;
            }

            var chain = new FilterChain { Name = config.Name(option.Protocol), FilterChainMatch = match, Metadata = config.Metadata };
            if (option.Terminates)
            {
                chain.TransportSocket = Envoy.TransportSocket(FilterChains.TlsTransportSocket, InboundTlsContexts.For(option.Protocol, mesh));
            }

            chain.Filters.Add(InboundFilters.MetadataExchange());
            if (option.Protocol == ListenerProtocol.Http)
            {
                chain.Filters.Add(InboundFilters.Http(config, authorization, headers));
            }
            else
            {
                chain.Filters.AddRange(authorization.Tcp);
                chain.Filters.Add(InboundFilters.Tcp(config));
            }

            chains.Add(chain);
        }

        return chains;
    }

    /// <summary>Traffic addressed to the capture port itself would loop back in: it goes nowhere.</summary>
    private static FilterChain Blackhole(MeshConfig mesh) => new()
    {
        Name = ResourceNames.VirtualInboundBlackholeChain,
        FilterChainMatch = new FilterChainMatch { DestinationPort = (uint)mesh.ProxyInboundListenPort },
        Filters = { InboundFilters.MetadataExchange(), TcpProxies.ToCluster(ResourceNames.BlackHoleCluster) },
    };

    private static Listener Listener(string name, Address address, List<FilterChain> chains, bool bindToPort, ProxyNode proxy, MeshConfig mesh)
    {
        var listener = new Listener
        {
            Name = name,
            Address = address,
            TrafficDirection = TrafficDirection.Inbound,
            ContinueOnListenerFiltersTimeout = true,
            ListenerFiltersTimeout = Envoy.Duration(mesh.ProtocolDetectionTimeout),
        };
        if (bindToPort)
        {
            listener.BindToPort = true;
        }
        else if (proxy.InterceptionMode == "TPROXY")
        {
            listener.Transparent = true;
        }

        listener.FilterChains.AddRange(chains);
        listener.ListenerFilters.AddRange(InboundInspectors.For(chains, bindToPort, proxy.InterceptionMode == "TPROXY"));
        return listener;
    }
}
