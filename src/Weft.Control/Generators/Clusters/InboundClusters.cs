using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Weft.Api.Model.Networking;
using Weft.Control.Generators.Listeners;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// The inbound clusters of a sidecar, <c>inbound|PORT||</c>, one per port its inbound listeners take. Without Sidecar
/// <c>ingress</c> entries these are the target ports of the services its workload serves: with Istio's default
/// inbound policy (PASSTHROUGH) they send to the address the connection was made to, from 127.0.0.6; with LOCALHOST
/// they send to 127.0.0.1. A Sidecar with <c>ingress</c> entries replaces them with one cluster per entry, sending to
/// its <c>defaultEndpoint</c>. A proxy without interception and without ingress entries has no inbound clusters.
/// </summary>
internal static class InboundClusters
{
    /// <summary>Istio never cleans up the hosts of inbound original-destination clusters: the longest Duration it can write.</summary>
    private static readonly TimeSpan NoCleanup = TimeSpan.FromSeconds((long.MaxValue - 999_999_999) / 1_000_000_000);

    public static IEnumerable<Cluster> Build(ProxyNode proxy, PushContext push)
    {
        var scope = push.SidecarScope(proxy);
        var localhost = ProxyAddresses.For(proxy).Localhost;
        if (scope.Spec?.Ingress is { Count: > 0 } ingress)
        {
            foreach (var entry in ingress)
            {
                if (FromIngress(proxy, push, scope, entry, localhost) is { } cluster)
                {
                    yield return cluster;
                }
            }

            yield break;
        }

        if (ProxyAddresses.NoInterception(proxy))
        {
            yield break;
        }

        var seen = new HashSet<int>();
        foreach (var endpoint in InboundEndpoints.For(proxy, push))
        {
            if (endpoint.Port == 0 || !seen.Add(endpoint.Port))
            {
                continue;
            }

            yield return Inbound(endpoint.Port, push.Mesh.InboundToLocalhost ? localhost : null, endpoint.Port, push.Mesh);
        }
    }

    /// <summary>
    /// The cluster of a Sidecar ingress entry. Its <c>defaultEndpoint</c> picks the destination: <c>127.0.0.1:P</c>
    /// (or <c>[::1]:P</c>) the loopback, <c>0.0.0.0:P</c> (or <c>[::]:P</c>) the proxy's own IPv4 (IPv6) address,
    /// <c>unix://PATH</c> a socket; without one, the connection's original destination. An endpoint that cannot be
    /// read gives no cluster. Either loopback form means the loopback of the proxy's IP family.
    /// </summary>
    private static Cluster? FromIngress(ProxyNode proxy, PushContext push, SidecarScope scope, IstioIngressListener entry, string localhost)
    {
        if (entry.Port?.Number is not { } number || number <= 0)
        {
            return null;
        }

        string? address = null;
        var port = 0;
        var endpoint = entry.DefaultEndpoint ?? string.Empty;
        if (endpoint.StartsWith("unix://", StringComparison.Ordinal))
        {
            address = endpoint;
        }
        else if (endpoint.Length > 0)
        {
            var colon = endpoint.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port))
            {
                return null;
            }

            address = endpoint[..colon].Trim('[', ']') switch
            {
                "0.0.0.0" => ProxyIp(proxy, AddressFamily.InterNetwork) ?? "127.0.0.1",
                "::" => ProxyIp(proxy, AddressFamily.InterNetworkV6) ?? "::1",
                "127.0.0.1" or "::1" => localhost,
                _ => null,
            };
        }

        var cluster = Inbound((int)number, address, port, push.Mesh);
        var pool = entry.ConnectionPool ?? scope.Spec?.InboundConnectionPool;
        if (pool is not null)
        {
            ApplyConnectionPool(cluster, pool);
        }

        return cluster;
    }

    /// <summary>
    /// An inbound cluster: STATIC to <paramref name="address"/>:<paramref name="endpointPort"/>, or ORIGINAL_DST when
    /// there is no address. Unless it targets the loopback, it sends from the inbound passthrough address so that
    /// iptables does not capture the proxy's own connection again.
    /// </summary>
    private static Cluster Inbound(int clusterPort, string? address, int endpointPort, MeshConfig mesh)
    {
        var name = ResourceNames.InboundCluster(clusterPort);
        var cluster = new Cluster
        {
            Name = name,
            AltStatName = ResourceNames.AltStatName(name),
            ConnectTimeout = Envoy.Duration(mesh.ConnectTimeout),
            CircuitBreakers = ClusterBuilder.DefaultCircuitBreakers(),
        };
        if (address is not null)
        {
            cluster.Type = Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.Static;
            cluster.LoadAssignment = new ClusterLoadAssignment
            {
                ClusterName = name,
                Endpoints =
                {
                    new LocalityLbEndpoints
                    {
                        LbEndpoints = { new LbEndpoint { Endpoint = new Endpoint { Address = Envoy.EndpointAddress(address, endpointPort) } } },
                    },
                },
            };
        }
        else
        {
            cluster.Type = Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.OriginalDst;
            cluster.LbPolicy = Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.ClusterProvided;
            cluster.CleanupInterval = Envoy.Duration(NoCleanup);
        }

        if (address is not (ProxyAddresses.Ipv4Localhost or ProxyAddresses.Ipv6Localhost))
        {
            cluster.UpstreamBindConfig = new BindConfig { SourceAddress = new Weft.Xds.Envoy.Config.Core.V3.SocketAddress { Address = FixedClusters.InboundPassthroughBindAddress, PortValue = 0 } };
        }

        return cluster;
    }

    /// <summary>The Sidecar's connection pool limits, on the server side too, so the workload can take what clients send.</summary>
    private static void ApplyConnectionPool(Cluster cluster, ConnectionPoolSettings pool)
    {
        var thresholds = cluster.CircuitBreakers.Thresholds[0];
        if (pool.Tcp?.MaxConnections is > 0 and var connections)
        {
            thresholds.MaxConnections = (uint)connections;
        }

        if (pool.Http?.Http1MaxPendingRequests is > 0 and var pending)
        {
            thresholds.MaxPendingRequests = (uint)pending;
        }

        if (pool.Http?.Http2MaxRequests is > 0 and var requests)
        {
            thresholds.MaxRequests = (uint)requests;
        }

        if (pool.Http?.MaxRetries is > 0 and var retries)
        {
            thresholds.MaxRetries = (uint)retries;
        }
    }

    private static string? ProxyIp(ProxyNode proxy, AddressFamily family) =>
        proxy.IpAddresses.FirstOrDefault(a => IPAddress.TryParse(a, out var ip) && ip.AddressFamily == family);
}
