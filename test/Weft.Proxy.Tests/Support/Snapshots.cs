using System.Collections.Frozen;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Proxy.Tests.Support;

/// <summary>Builds snapshots straight from resources, through the same compiler and builder the xDS client feeds.</summary>
internal static class Snapshots
{
    public static ProxySnapshot Build(IEnumerable<IMessage> resources)
    {
        var state = new SnapshotState();
        var builder = new SnapshotBuilder(state, TimeProvider.System, NullLogger<SnapshotBuilder>.Instance);
        var list = resources.ToList();
        builder.Updated(new XdsConfig(
            View(builder, TypeUrls.Cluster, list.OfType<Cluster>(), c => c.Name),
            View(builder, TypeUrls.ClusterLoadAssignment, list.OfType<ClusterLoadAssignment>(), a => a.ClusterName),
            View(builder, TypeUrls.Listener, list.OfType<Listener>(), l => l.Name),
            View(builder, TypeUrls.RouteConfiguration, list.OfType<RouteConfiguration>(), r => r.Name)));
        return state.Current ?? throw new InvalidOperationException("incomplete: " + string.Join("; ", state.Missing));
    }

    private static XdsTypeView View<T>(SnapshotBuilder builder, string typeUrl, IEnumerable<T> resources, Func<T, string> name)
        where T : IMessage
    {
        var accepted = resources.Select(r => new AcceptedResource(name(r), r, builder.Compile(typeUrl, r), "test", DateTimeOffset.UnixEpoch))
            .ToFrozenDictionary(r => r.Name, StringComparer.Ordinal);
        var names = TypeUrls.IsWildcardType(typeUrl) ? FrozenSet<string>.Empty : accepted.Keys.ToFrozenSet(StringComparer.Ordinal);
        return new XdsTypeView(typeUrl, true, "test", accepted, names, null);
    }
}
