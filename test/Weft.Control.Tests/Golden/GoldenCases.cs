namespace Weft.Control.Tests.Golden;

/// <summary>
/// The inputs kept as golden files: every file of the corpus' <c>validation/valid/pilot-test-config/</c> alone (istiod's own
/// xDS test config), a few groups of them that only mean something together, bookinfo's networking samples on top of its
/// Services, and Weft's <c>examples/canary/</c>. Each case is generated for a sidecar in <c>default</c>, plus the proxies
/// its config is written for (a sidecar in the config's own namespace, a gateway its Gateways select).
/// </summary>
internal static class GoldenCases
{
    public const string PilotDirectory = "validation/valid/pilot-test-config";

    public const string BookinfoDirectory = "samples/bookinfo";

    /// <summary>Every file of <see cref="PilotDirectory"/> at the corpus' commit; a test checks the list is complete.</summary>
    public static readonly string[] PilotFiles =
    [
        "authn", "byon", "destination-rule-all", "destination-rule-fqdn", "destination-rule-locality", "destination-rule-passthrough",
        "destination-rule-ssl", "egressgateway", "external_services", "gateway-all", "gateway-tcp-a", "ingress", "ingressgateway",
        "none", "peer-authn-strict", "rule-content-route", "rule-default-route-append-headers", "rule-default-route-cors-policy",
        "rule-default-route", "rule-fault-injection", "rule-ingressgateway", "rule-redirect-injection", "rule-regex-route",
        "rule-route-via-egressgateway", "rule-websocket-route", "rule-weighted-route", "se-example-gw", "se-example",
        "static-weighted-se", "virtual-service-all",
    ];

    /// <summary>Every file of bookinfo's <c>networking/</c> samples at the corpus' commit.</summary>
    public static readonly string[] BookinfoNetworkingFiles =
    [
        "bookinfo-gateway", "certmanager-gateway", "destination-rule-all-mtls", "destination-rule-all", "destination-rule-reviews",
        "egress-rule-google-apis", "fault-injection-details-v1", "virtual-service-all-v1", "virtual-service-details-v2",
        "virtual-service-ratings-db", "virtual-service-ratings-mysql-vm", "virtual-service-ratings-mysql",
        "virtual-service-ratings-test-abort", "virtual-service-ratings-test-delay", "virtual-service-reviews-50-v3",
        "virtual-service-reviews-80-20", "virtual-service-reviews-90-10", "virtual-service-reviews-jason-v2-v3",
        "virtual-service-reviews-test-v2", "virtual-service-reviews-v2-v3", "virtual-service-reviews-v3",
    ];

    private static readonly GoldenProxy Sidecar = GoldenProxy.Sidecar();
    private static readonly GoldenProxy IngressGateway = GoldenProxy.Router("ingressgateway", "istio", "ingressgateway");
    private static readonly GoldenProxy EgressGateway = GoldenProxy.Router("egressgateway", "istio", "egressgateway");

    public static IReadOnlyList<GoldenCase> All { get; } = [.. Pilot(), .. Bookinfo(), Canary()];

    /// <summary>Every golden file by name, with its case and proxy.</summary>
    public static IReadOnlyDictionary<string, (GoldenCase Case, GoldenProxy Proxy)> Files { get; } =
        All.SelectMany(c => c.Proxies.Select(p => (Name: GoldenCase.FileName(c, p), Case: c, Proxy: p)))
            .ToDictionary(x => x.Name, x => (x.Case, x.Proxy), StringComparer.Ordinal);

    private static IEnumerable<GoldenCase> Pilot()
    {
        foreach (var file in PilotFiles)
        {
            yield return new GoldenCase($"pilot.{file}", GoldenSource.Corpus, [$"{PilotDirectory}/{file}.yaml"], [Sidecar, .. PilotExtras(file)]);
        }

        yield return new GoldenCase("pilot.all", GoldenSource.Corpus, PilotFiles.Select(f => $"{PilotDirectory}/{f}.yaml").ToArray(), [Sidecar, IngressGateway]);
        yield return new GoldenCase("pilot.ingressgateway-routes", GoldenSource.Corpus,
            [$"{PilotDirectory}/ingressgateway.yaml", $"{PilotDirectory}/rule-ingressgateway.yaml"], [IngressGateway]);
        yield return new GoldenCase("pilot.egressgateway-routes", GoldenSource.Corpus,
            [$"{PilotDirectory}/egressgateway.yaml", $"{PilotDirectory}/rule-route-via-egressgateway.yaml"], [Sidecar, EgressGateway]);
    }

    /// <summary>The proxies a file's config is written for, beyond the sidecar in <c>default</c>.</summary>
    private static GoldenProxy[] PilotExtras(string file) => file switch
    {
        // Istio's interception-less test: a Sidecar with ingress ports and egress limited to its namespace.
        "none" => [new GoldenProxy("sidecar-none-nocapture", mesh => mesh.Sidecar("none", name: "fortio",
            labels: new Dictionary<string, string> { ["app"] = "fortio", ["version"] = "v1" }, interceptionMode: "NONE"))],
        "se-example" => [GoldenProxy.Sidecar("seexamples")],
        "se-example-gw" => [GoldenProxy.Sidecar("exampleegressgw"), EgressGateway],
        "egressgateway" => [EgressGateway],
        "gateway-all" => [GoldenProxy.Router("my-gateway", "app", "my-gateway-controller")],
        "gateway-tcp-a" or "ingressgateway" => [IngressGateway],
        "ingress" => [GoldenProxy.Router("ingress", "istio", "ingress")],
        _ => [],
    };

    private static IEnumerable<GoldenCase> Bookinfo()
    {
        const string Services = $"{BookinfoDirectory}/platform/kube/bookinfo.yaml";
        const string Subsets = $"{BookinfoDirectory}/networking/destination-rule-all.yaml";
        foreach (var file in BookinfoNetworkingFiles)
        {
            var input = $"{BookinfoDirectory}/networking/{file}.yaml";

            // As bookinfo's docs apply them: routes to subsets go on top of destination-rule-all.yaml, and the routes to a
            // database on top of that database's Service.
            string[] inputs = file switch
            {
                _ when file.StartsWith("destination-rule", StringComparison.Ordinal) => [Services, input],
                // These bring their own DestinationRule (fault-injection-details-v1 redefines destination-rule-all's "details").
                "bookinfo-gateway" or "certmanager-gateway" or "egress-rule-google-apis" or "fault-injection-details-v1" => [Services, input],
                "virtual-service-ratings-db" => [Services, $"{BookinfoDirectory}/platform/kube/bookinfo-db.yaml", Subsets, input],
                "virtual-service-ratings-mysql" => [Services, $"{BookinfoDirectory}/platform/kube/bookinfo-mysql.yaml", Subsets, input],
                _ => [Services, Subsets, input],
            };
            GoldenProxy[] proxies = file.EndsWith("-gateway", StringComparison.Ordinal) ? [Sidecar, IngressGateway] : [Sidecar];
            yield return new GoldenCase($"bookinfo.{file}", GoldenSource.Corpus, inputs, proxies);
        }
    }

    private static GoldenCase Canary() => new("canary", GoldenSource.Repository, ["examples/canary"],
    [
        Sidecar,
        new GoldenProxy("proxyless", mesh => mesh.Proxyless(), "product-catalog.default.svc.cluster.local:8080"),

        // A sidecar whose node id names a WorkloadEntry takes its labels and ports from it (inbound chains for 18081).
        new GoldenProxy("workload-entry-v1", mesh => mesh.Sidecar(name: "product-catalog-v1", ip: "127.0.0.1")),
    ]);
}
