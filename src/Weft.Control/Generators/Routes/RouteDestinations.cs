using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// Where a forwarding route sends requests. One destination: its cluster, with the destination's header edits on the
/// route itself (weights do not matter). Several: weighted clusters in the listed order, each carrying its own header
/// edits; 0-weight entries are dropped and no total is set, so Envoy splits by weight over their sum.
/// </summary>
internal static class RouteDestinations
{
    /// <summary>Fills the cluster choice, per-destination headers and hash policies; true when a lone destination hashes.</summary>
    public static bool Apply(RouteContext context, string vsNamespace, HTTPRoute http, Route route, RouteAction action)
    {
        var destinations = http.Route ?? [];
        if (destinations.Count == 1)
        {
            var only = destinations[0];
            var host = DestinationClusters.Host(only.Destination, vsNamespace);
            var service = DestinationClusters.Service(context, host);
            action.Cluster = DestinationClusters.Name(context, only.Destination, host, service);
            if (only.Headers is { } headers)
            {
                var changes = HeaderChanges.From(headers);
                route.RequestHeadersToAdd.AddRange(changes.RequestToAdd);
                route.RequestHeadersToRemove.AddRange(changes.RequestToRemove);
                route.ResponseHeadersToAdd.AddRange(changes.ResponseToAdd);
                route.ResponseHeadersToRemove.AddRange(changes.ResponseToRemove);

                // A rewrite or route-level authority already chosen wins, as it would for weighted destinations.
                if (changes.Authority.Length > 0 && action.HostRewriteSpecifierCase == RouteAction.HostRewriteSpecifierOneofCase.None)
                {
                    action.HostRewriteLiteral = changes.Authority;
                }
            }

            var hash = only.Destination is null ? null : DestinationHashes.ForDestination(context, only.Destination, host, service);
            action.HashPolicy.AddRange(DestinationHashes.Policies(hash));
            return hash is not null;
        }

        var weighted = new WeightedCluster();
        foreach (var destination in destinations)
        {
            if ((destination.Weight ?? 0) == 0)
            {
                continue;
            }

            var host = DestinationClusters.Host(destination.Destination, vsNamespace);
            var service = DestinationClusters.Service(context, host);
            var entry = new WeightedCluster.Types.ClusterWeight
            {
                Name = DestinationClusters.Name(context, destination.Destination, host, service),
                Weight = (uint)destination.Weight!.Value,
            };
            if (destination.Headers is { } headers)
            {
                var changes = HeaderChanges.From(headers);
                entry.RequestHeadersToAdd.AddRange(changes.RequestToAdd);
                entry.RequestHeadersToRemove.AddRange(changes.RequestToRemove);
                entry.ResponseHeadersToAdd.AddRange(changes.ResponseToAdd);
                entry.ResponseHeadersToRemove.AddRange(changes.ResponseToRemove);
                if (changes.Authority.Length > 0)
                {
                    entry.HostRewriteLiteral = changes.Authority;
                }
            }

            if (destination.Destination is not null)
            {
                action.HashPolicy.AddRange(DestinationHashes.Policies(DestinationHashes.ForDestination(context, destination.Destination, host, service)));
            }

            weighted.Clusters.Add(entry);
        }

        action.WeightedClusters = weighted;
        return false;
    }
}
