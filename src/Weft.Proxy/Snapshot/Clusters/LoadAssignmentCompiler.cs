using System.Net;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;
using SocketAddress = Weft.Xds.Envoy.Config.Core.V3.SocketAddress;

namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>
/// Compiles a ClusterLoadAssignment (EDS, or a cluster's inline one) into priorities and localities, with Envoy's rules:
/// weights, when set, are at least 1 (endpoints default to 1); addresses are socket addresses with a numeric port, and IP
/// literals unless the cluster resolves names itself (DNS clusters).
/// </summary>
internal static class LoadAssignmentCompiler
{
    public static LoadAssignment Compile(ClusterLoadAssignment assignment, bool namesAllowed)
    {
        var levels = new SortedDictionary<uint, List<LocalityGroup>>();
        foreach (var group in assignment.Endpoints)
        {
            if (group.LoadBalancingWeight is 0)
            {
                throw new XdsRejectedException("a locality's load_balancing_weight must be at least 1");
            }

            var locality = group.Locality ?? new Locality();
            var hosts = new List<UpstreamHost>();
            foreach (var lb in group.LbEndpoints)
            {
                hosts.Add(Host(lb, group, locality, namesAllowed));
            }

            if (!levels.TryGetValue(group.Priority, out var level))
            {
                levels[group.Priority] = level = [];
            }

            level.Add(new LocalityGroup(locality.Region, locality.Zone, locality.SubZone, group.LoadBalancingWeight ?? 0, hosts));
        }

        // Priorities are levels 0..N; a level with no localities is an empty level, as in Envoy.
        var priorities = new List<IReadOnlyList<LocalityGroup>>();
        if (levels.Count > 0)
        {
            for (uint p = 0; p <= levels.Keys.Max(); p++)
            {
                priorities.Add(levels.TryGetValue(p, out var level) ? level : []);
            }
        }

        var factor = assignment.Policy?.OverprovisioningFactor ?? LoadAssignment.DefaultOverprovisioningFactor;
        if (factor == 0)
        {
            throw new XdsRejectedException("overprovisioning_factor must be above 0");
        }

        return new LoadAssignment(priorities, factor);
    }

    private static UpstreamHost Host(LbEndpoint lb, LocalityLbEndpoints group, Locality locality, bool namesAllowed)
    {
        if (lb.HostIdentifierCase == LbEndpoint.HostIdentifierOneofCase.EndpointName)
        {
            throw new XdsRejectedException("named endpoints (endpoint_name) are not supported");
        }

        var address = lb.Endpoint?.Address ?? throw new XdsRejectedException("an endpoint has no address");
        if (address.AddressCase == Address.AddressOneofCase.Pipe)
        {
            return Pipe(lb, group, locality, address.Pipe.Path);
        }

        if (address.AddressCase != Address.AddressOneofCase.SocketAddress)
        {
            throw new XdsRejectedException($"an endpoint address is a {address.AddressCase}, not a socket address");
        }

        var socket = address.SocketAddress;
        if (socket.PortSpecifierCase != SocketAddress.PortSpecifierOneofCase.PortValue || socket.PortValue is 0 or > 65535)
        {
            throw new XdsRejectedException($"the endpoint {socket.Address} has no port number (1-65535)");
        }

        if (!namesAllowed && !IPAddress.TryParse(socket.Address, out _))
        {
            throw new XdsRejectedException($"the endpoint address \"{socket.Address}\" is not an IP address");
        }

        if (socket.Address.Length == 0)
        {
            throw new XdsRejectedException("an endpoint address is empty");
        }

        if (lb.LoadBalancingWeight is 0)
        {
            throw new XdsRejectedException($"the endpoint {socket.Address}:{socket.PortValue} has load_balancing_weight 0 (at least 1)");
        }

        return new UpstreamHost(
            socket.Address,
            (int)socket.PortValue,
            lb.LoadBalancingWeight ?? 1,
            lb.HealthStatus,
            locality.Region,
            locality.Zone,
            locality.SubZone,
            group.Priority,
            lb.Endpoint.Hostname)
        {
            Workload = Telemetry.EndpointMetadata.Workload(lb.Metadata),
            TransportMatch = Tls.TransportSockets.MetadataOf(lb.Metadata),
        };
    }

    /// <summary>A unix socket endpoint, under the host name that stands for its path (<see cref="PipeHosts"/>).</summary>
    private static UpstreamHost Pipe(LbEndpoint lb, LocalityLbEndpoints group, Locality locality, string path)
    {
        if (path.Length == 0)
        {
            throw new XdsRejectedException("a unix socket endpoint has no path");
        }

        if (lb.LoadBalancingWeight is 0)
        {
            throw new XdsRejectedException($"the endpoint {path} has load_balancing_weight 0 (at least 1)");
        }

        return new UpstreamHost(PipeHosts.NameFor(path), PipeHosts.Port, lb.LoadBalancingWeight ?? 1, lb.HealthStatus, locality.Region, locality.Zone, locality.SubZone, group.Priority, lb.Endpoint.Hostname)
        {
            Pipe = path,
            Workload = Telemetry.EndpointMetadata.Workload(lb.Metadata),
            TransportMatch = Tls.TransportSockets.MetadataOf(lb.Metadata),
        };
    }
}
