using Weft.Xds;

namespace Weft.Bench.Scale;

/// <summary>
/// What every simulated sidecar must hold once converged, from the generated configuration alone, so a run that measures
/// the wrong thing stops with a sentence instead of a figure. Every sidecar sees every service (default exportTo, no
/// Sidecar resource), so every sidecar is affected by every change.
/// </summary>
internal static class ScaleChecks
{
    /// <summary>Throws when a client lacks a cluster, endpoint subscription, listener or route it should have.</summary>
    public static void Converged(ScaleConfig config, SimulatedEnvoy client)
    {
        var expectedClusters = config.Services + (2 * config.RoutedServices) + 4;
        Require(client, client.Clusters.Count == expectedClusters, $"holds {client.Clusters.Count} clusters, expected {expectedClusters}");
        Require(client, client.EndpointNames.Count == config.Services + (2 * config.RoutedServices),
            $"asks for endpoints of {client.EndpointNames.Count} clusters, expected {config.Services + (2 * config.RoutedServices)}");
        for (var service = 0; service < config.Services; service++)
        {
            var host = config.Host(service);
            foreach (var subset in ScaleConfig.IsRouted(service) ? new[] { string.Empty, "v1", "v2" } : [string.Empty])
            {
                var name = ResourceNames.OutboundCluster(ScaleConfig.Port, host, subset);
                Require(client, client.Clusters.Contains(name) && client.EndpointNames.Contains(name), $"lacks cluster or endpoints {name}");
            }
        }

        Require(client, client.Clusters.Contains(ResourceNames.InboundCluster(ScaleConfig.Port)), "lacks its inbound cluster");
        foreach (var listener in new[] { ResourceNames.VirtualOutboundListener, ResourceNames.VirtualInboundListener, $"{ResourceNames.WildcardAddress}_{ScaleConfig.Port}" })
        {
            Require(client, client.Listeners.Contains(listener), $"lacks listener {listener}");
        }

        var port = ScaleConfig.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Require(client, client.RouteNames.SetEquals([port]), $"asks for routes [{string.Join(", ", client.RouteNames)}], expected [{port}]");
        if (client.VerifyRoutes)
        {
            for (var service = 0; service < config.Services; service += 2)
            {
                Weights(config, client, service);
            }
        }
    }

    /// <summary>Throws unless a client that decodes its routes holds the service's current weighted split.</summary>
    public static void Weights(ScaleConfig config, SimulatedEnvoy client, int service)
    {
        var host = config.Host(service);
        var v1 = (uint)config.V1Weight(service);
        var expected = new[] { (ResourceNames.OutboundCluster(ScaleConfig.Port, host, "v1"), v1), (ResourceNames.OutboundCluster(ScaleConfig.Port, host, "v2"), 100 - v1) };
        var actual = client.Route($"{host}:{ScaleConfig.Port}");
        Require(client, actual is not null && actual.SequenceEqual(expected),
            $"routes {host} to [{(actual is null ? "nothing" : string.Join(", ", actual.Select(d => $"{d.Cluster} {d.Weight}")))}], expected {v1}/{100 - v1} to v1/v2");
    }

    private static void Require(SimulatedEnvoy client, bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"client {client.Index} ({client.Node.Id}) {problem}");
        }
    }
}
