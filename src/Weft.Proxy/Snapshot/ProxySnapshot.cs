using System.Collections.Frozen;
using System.Net;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Snapshot.Routes;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Snapshot;

/// <summary>
/// Everything the request path needs, compiled from one complete xDS configuration and never changed afterwards: a new
/// configuration makes a new snapshot, swapped in whole. A request reads the snapshot once and uses it throughout.
/// </summary>
internal sealed class ProxySnapshot
{
    private readonly FrozenDictionary<int, ListenerModel[]> _byPort;
    private readonly FrozenDictionary<string, ListenerModel> _byName;

    public ProxySnapshot(
        long generation,
        XdsConfig config,
        IReadOnlyList<ListenerModel> listeners,
        FrozenDictionary<string, RouteTable> routes,
        FrozenDictionary<string, ClusterRuntime> clusters,
        DateTimeOffset createdAt)
    {
        Generation = generation;
        Config = config;
        Listeners = listeners;
        Routes = routes;
        Clusters = clusters;
        CreatedAt = createdAt;
        _byPort = listeners.GroupBy(l => l.Port).ToFrozenDictionary(g => g.Key, g => g.ToArray());
        _byName = listeners.DistinctBy(l => l.Name).ToFrozenDictionary(l => l.Name, StringComparer.Ordinal);
    }

    /// <summary>Counts the snapshots of this proxy: 1 for the first.</summary>
    public long Generation { get; }

    /// <summary>The accepted resources it was built from (for config dumps).</summary>
    public XdsConfig Config { get; }

    public IReadOnlyList<ListenerModel> Listeners { get; }

    public FrozenDictionary<string, RouteTable> Routes { get; }

    public FrozenDictionary<string, ClusterRuntime> Clusters { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>
    /// The listener a connection to <paramref name="address"/>:<paramref name="port"/> is handed to, as Envoy's
    /// original-destination hand-off does: a listener bound to exactly that address and port, else one bound to the
    /// wildcard address on that port; null when there is none.
    /// </summary>
    public ListenerModel? ListenerFor(IPAddress? address, int port)
    {
        if (!_byPort.TryGetValue(port, out var candidates))
        {
            return null;
        }

        if (address is not null && Array.Find(candidates, l => l.Address.Equals(address)) is { } exact)
        {
            return exact;
        }

        return Array.Find(candidates, l => l.IsWildcard);
    }

    /// <summary>The listener of that name, or null.</summary>
    public ListenerModel? ListenerNamed(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The first listener of a direction that takes connections for any destination (<c>virtualOutbound</c>, <c>virtualInbound</c>).</summary>
    public ListenerModel? CaptureListener(TrafficDirection direction, string name) => CaptureListenerOf(Listeners, direction, name);

    public static ListenerModel? CaptureListenerOf(IEnumerable<ListenerModel> listeners, TrafficDirection direction, string name) =>
        listeners.FirstOrDefault(l => l.Name == name) ?? listeners.FirstOrDefault(l => l.Direction == direction && l.UseOriginalDestination);

    /// <summary>The route configuration a connection manager uses: its inline one, or the RDS one it names.</summary>
    public RouteTable? RoutesFor(ConnectionManagerModel manager) =>
        manager.InlineRoutes ?? (manager.RouteConfigName is { } name && Routes.TryGetValue(name, out var table) ? table : null);
}
