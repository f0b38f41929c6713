using Weft.Control.Generators;
using Weft.Control.Tests.Golden;
using Weft.Control.Tests.Support;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// Rules Envoy enforces when it loads configuration (it NACKs what breaks them), checked on the xDS of every golden case:
/// resource names are unique per type, no two filter chains of a listener match the same connections, no domain appears
/// twice in a route configuration, and every route configuration a listener names through RDS is served.
/// </summary>
public sealed class EnvoyAcceptanceTests
{
    public static TheoryData<string> Files => GoldenTests.Files;

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void Envoy_would_accept_what_the_golden_case_generates(string file)
    {
        var (goldenCase, proxy) = GoldenCases.Files[file];
        var mesh = TestMesh.FromFiles(GoldenTests.Inputs(goldenCase));
        var resources = mesh.Resources(proxy.Node(mesh), proxy.Listeners);
        var problems = Problems(resources).ToArray();
        if (WaitingFor.TryGetValue(file, out var feature))
        {
            Skip.If(true, problems.Length == 0
                ? $"PASSES NOW: delete its WaitingFor entry (\"{feature}\")"
                : $"waiting for {feature} ({string.Join("; ", problems)})");
        }

        Assert.True(problems.Length == 0, $"{file}:\n  {string.Join("\n  ", problems)}");
    }

    /// <summary>Golden cases whose xDS Envoy would reject today, with the generator feature that fixes them.</summary>
    private static readonly Dictionary<string, string> WaitingFor = new(StringComparer.Ordinal);

    /// <summary>Envoy's proto validation: a route needs an action, and a route action needs a non-empty cluster specifier.</summary>
    private static string? ActionProblem(Route route) => route.ActionCase switch
    {
        Route.ActionOneofCase.None => "no action (Envoy requires route, redirect or direct_response)",
        Route.ActionOneofCase.Route_ => route.Route_.ClusterSpecifierCase switch
        {
            RouteAction.ClusterSpecifierOneofCase.None => "a route action without a cluster (Envoy requires cluster_specifier)",
            RouteAction.ClusterSpecifierOneofCase.Cluster when route.Route_.Cluster.Length == 0 => "an empty cluster name",
            RouteAction.ClusterSpecifierOneofCase.WeightedClusters when route.Route_.WeightedClusters.Clusters.Count == 0 => "weighted_clusters without clusters",
            _ => null,
        },
        _ => null,
    };

    private static IEnumerable<string> Problems(ProxyResources resources)
    {
        foreach (var (type, list) in new[] { ("listener", resources.Listeners), ("route configuration", resources.Routes), ("cluster", resources.Clusters), ("load assignment", resources.Endpoints) })
        {
            foreach (var name in list.GroupBy(r => r.Name).Where(g => g.Count() > 1).Select(g => g.Key))
            {
                yield return $"{type} {name} is generated twice";
            }
        }

        var served = resources.Routes.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var listener in resources.Listeners.Select(r => (Listener)r.Message))
        {
            foreach (var twin in listener.FilterChains.GroupBy(c => c.FilterChainMatch ?? new FilterChainMatch()).Where(g => g.Count() > 1))
            {
                yield return $"listener {listener.Name}: filter chains {string.Join(", ", twin.Select(c => c.Name))} have the same match {twin.Key}";
            }

            foreach (var route in ProxyResources.RouteNames(listener).Where(n => !served.Contains(n)))
            {
                yield return $"listener {listener.Name} names route configuration {route}, which is not served";
            }
        }

        foreach (var config in resources.Routes.Select(r => (RouteConfiguration)r.Message))
        {
            if (VirtualHostSelector.DuplicateDomain(config) is { } domain)
            {
                var hosts = config.VirtualHosts.Where(v => v.Domains.Contains(domain, StringComparer.OrdinalIgnoreCase)).Select(v => v.Name);
                yield return $"route configuration {config.Name}: domain {domain} is in {string.Join(" and ", hosts)}";
            }

            foreach (var vhost in config.VirtualHosts)
            {
                foreach (var route in vhost.Routes.Where(r => ActionProblem(r) is not null))
                {
                    yield return $"route configuration {config.Name}, virtual host {vhost.Name}, route \"{route.Name}\": {ActionProblem(route)}";
                }
            }
        }
    }
}
