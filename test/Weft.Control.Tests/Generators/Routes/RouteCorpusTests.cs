using Weft.Control.Generators.Routes;
using Weft.Control.Push;
using Weft.Control.Tests.Support;
using static Weft.Control.Tests.Support.RouteTestSupport;

namespace Weft.Control.Tests.Generators.Routes;

/// <summary>Istio's own test and sample configuration translates into routes without failing.</summary>
public sealed class RouteCorpusTests
{
    [SkippableFact]
    public void Pilot_test_config_and_bookinfo_samples_translate_without_exceptions()
    {
        var corpus = RouteCorpusFiles.Require();
        var files = Directory.GetFiles(Path.Combine(corpus, "validation", "valid", "pilot-test-config"), "*.yaml")
            .Concat(Directory.GetFiles(Path.Combine(corpus, "samples", "bookinfo", "networking"), "*.yaml"))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.NotEmpty(files);

        var failures = new List<string>();
        var translated = 0;
        foreach (var file in files)
        {
            try
            {
                translated += Translate(File.ReadAllText(file));
            }
            catch (Exception e)
            {
                failures.Add($"{Path.GetFileName(file)}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.True(translated > 0, "no VirtualService in the corpus produced a route");
    }

    [SkippableFact]
    public void Bookinfo_reviews_80_20_splits_between_two_subsets()
    {
        var corpus = RouteCorpusFiles.Require();
        var yaml = File.ReadAllText(Path.Combine(corpus, "samples", "bookinfo", "networking", "virtual-service-reviews-80-20.yaml"));
        var route = Assert.Single(RoutesFor(PushOf(Service("reviews", ports: [9080]) + yaml, allowRejections: true), "reviews", 9080));
        Assert.Equal([80u, 20u], route.Route_.WeightedClusters.Clusters.Select(c => c.Weight!.Value));
        Assert.Equal(
            ["outbound|9080|v1|reviews.default.svc.cluster.local", "outbound|9080|v2|reviews.default.svc.cluster.local"],
            route.Route_.WeightedClusters.Clusters.Select(c => c.Name));
    }

    /// <summary>Builds every VirtualService's routes on every port it could be asked for; returns how many routes came out.</summary>
    private static int Translate(string yaml)
    {
        var push = PushOf(yaml, allowRejections: true);
        var proxy = Sidecar();
        var ports = new SortedSet<int> { 80 };
        foreach (var service in push.Registry.Services)
        {
            ports.UnionWith(service.Ports.Select(p => p.Number));
        }

        foreach (var vs in push.VirtualServices.All)
        {
            foreach (var http in vs.Http)
            {
                ports.UnionWith((http.Match ?? []).Where(m => m?.Port is > 0).Select(m => (int)m.Port!.Value));
                ports.UnionWith((http.Route ?? []).Where(d => d.Destination?.Port?.Number is > 0).Select(d => (int)d.Destination!.Port!.Number!.Value));
            }
        }

        var count = 0;
        foreach (var vs in push.VirtualServices.All)
        {
            foreach (var gateway in vs.Gateways)
            {
                foreach (var port in ports)
                {
                    count += HttpRouteBuilder.Build(new RouteContext(proxy, push, port, gateway, IsTls: port == 443), vs).Count;
                    count += HttpRouteBuilder.Build(new RouteContext(Sidecar(proxyless: true), push, port, gateway), vs).Count;
                }
            }
        }

        foreach (var port in ports)
        {
            _ = RouteGenerator.Build(proxy, push, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return count;
    }
}
