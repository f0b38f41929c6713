using System.Globalization;
using Weft.Control.Generators;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Bench.Scale;

/// <summary>
/// What the replay server sends every proxy of one class: the four responses, generated once from the first proxy of the
/// class that connects and then only serialized, for every client, as often as asked. They hold what a control plane sharing
/// generation per class sends (one class of this benchmark's sidecars cannot differ, inbound included: every service has the
/// same port). A route version after the first carries the same route configurations under a new version and nonce, built
/// once per class, so a replayed push costs no more than moving its bytes either.
/// </summary>
internal sealed class ReplayResponses
{
    private readonly string _id;
    private readonly object _gate = new();
    private DiscoveryResponse _routes;
    private long _routesVersion;

    public ReplayResponses(string id, ProxyNode proxy, PushContext push)
    {
        _id = id;
        var resources = ProxyResources.Generate(proxy, push);
        Clusters = Response(TypeUrls.Cluster, resources.Clusters, ReplayServer.FirstVersion);
        Endpoints = Response(TypeUrls.ClusterLoadAssignment, resources.Endpoints, ReplayServer.FirstVersion);
        Listeners = Response(TypeUrls.Listener, resources.Listeners, ReplayServer.FirstVersion);
        _routes = Response(TypeUrls.RouteConfiguration, resources.Routes, ReplayServer.FirstVersion);
        _routesVersion = ReplayServer.FirstVersion;
    }

    public DiscoveryResponse Clusters { get; }

    public DiscoveryResponse Endpoints { get; }

    public DiscoveryResponse Listeners { get; }

    /// <summary>Whether the replay answers requests of a type: CDS, EDS, LDS and RDS.</summary>
    public static bool Serves(string typeUrl) =>
        typeUrl is TypeUrls.Cluster or TypeUrls.ClusterLoadAssignment or TypeUrls.Listener or TypeUrls.RouteConfiguration;

    /// <summary>The response for a type (routes at <paramref name="routesVersion"/>); null for a type the replay does not serve.</summary>
    public DiscoveryResponse? For(string typeUrl, long routesVersion) => typeUrl switch
    {
        TypeUrls.Cluster => Clusters,
        TypeUrls.ClusterLoadAssignment => Endpoints,
        TypeUrls.Listener => Listeners,
        TypeUrls.RouteConfiguration => Routes(routesVersion),
        _ => null,
    };

    /// <summary>
    /// The route response of <paramref name="version"/>: the same route configurations, that version and its own nonce. Only
    /// the newest is kept; asked for an older version, it answers with the newest (a client never goes back).
    /// </summary>
    public DiscoveryResponse Routes(long version)
    {
        lock (_gate)
        {
            if (version > _routesVersion)
            {
                var next = Response(TypeUrls.RouteConfiguration, [], version);
                next.Resources.AddRange(_routes.Resources);
                (_routes, _routesVersion) = (next, version);
            }

            return _routes;
        }
    }

    private DiscoveryResponse Response(string typeUrl, IReadOnlyList<XdsResource> resources, long version)
    {
        var response = new DiscoveryResponse
        {
            TypeUrl = typeUrl,
            VersionInfo = ReplayServer.VersionInfo(version),
            Nonce = string.Create(CultureInfo.InvariantCulture, $"{_id}-{TypeUrls.ShortName(typeUrl)}-{version}"),
            ControlPlane = new Weft.Xds.Envoy.Config.Core.V3.ControlPlane { Identifier = "weft-replay" },
        };
        foreach (var resource in resources)
        {
            response.Resources.Add(resource.Any);
        }

        return response;
    }
}
