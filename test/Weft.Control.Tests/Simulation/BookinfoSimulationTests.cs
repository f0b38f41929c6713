using Weft.Api.Loading;
using Weft.Control.Tests.Support;
using Weft.Xds;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// Bookinfo's traffic-management samples from the Istio corpus, applied as its docs apply them (Services, then
/// destination-rule-all.yaml, then one VirtualService file), called from productpage's sidecar. Skips without the corpus.
/// </summary>
public sealed class BookinfoSimulationTests
{
    private const string Reviews = "reviews.default.svc.cluster.local";

    private static readonly (string File, SimulationCase Case)[] Cases =
    [
        ("virtual-service-reviews-jason-v2-v3", new("jason's requests reach reviews v2", Call.Http("reviews:9080", "/reviews/0", ("end-user", "jason")),
            new Expect { Listener = "0.0.0.0_9080", RouteConfig = "9080", VirtualHost = $"{Reviews}:9080", Cluster = Subset("v2") })),
        ("virtual-service-reviews-jason-v2-v3", new("everyone else reaches reviews v3", Call.Http("reviews:9080", "/reviews/0"),
            new Expect { Cluster = Subset("v3") })),
        ("virtual-service-reviews-80-20", new("reviews is split 80/20 between v1 and v2", Call.Http("reviews:9080", "/reviews/0"),
            new Expect { Weighted = [new(Subset("v1"), 80), new(Subset("v2"), 20)] })),
        ("virtual-service-all-v1", new("virtual-service-all-v1 sends ratings to v1", Call.Http("ratings:9080", "/ratings/0"),
            new Expect { VirtualHost = "ratings.default.svc.cluster.local:9080", Cluster = ResourceNames.OutboundCluster(9080, "ratings.default.svc.cluster.local", "v1") })),
    ];

    public static TheoryData<string> Names => new(Cases.Select(c => c.Case.Name));

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void Call_from_productpage_lands_where_Istio_sends_it(string name)
    {
        var (file, row) = Cases.Single(c => c.Case.Name == name);
        var root = Path.Combine(IstioCorpus.Require(), "samples", "bookinfo");
        var mesh = TestMesh.FromFiles(ConfigFiles.Read(
        [
            Path.Combine(root, "platform", "kube", "bookinfo.yaml"),
            Path.Combine(root, "networking", "destination-rule-all.yaml"),
            Path.Combine(root, "networking", file + ".yaml"),
        ]));
        Assert.Empty(mesh.Rejections);
        row.Run(mesh);
    }

    private static string Subset(string subset) => ResourceNames.OutboundCluster(9080, Reviews, subset);
}
