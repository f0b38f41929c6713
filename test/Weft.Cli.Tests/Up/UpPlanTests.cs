using System.Net;
using Weft.Cli.Tests.Support;
using Weft.Cli.Up;
using Weft.Control.Config;

namespace Weft.Cli.Tests.Up;

public sealed class UpPlanTests
{
    private static ConfigSnapshot Load(params (string Path, string Text)[] files)
    {
        var store = new ConfigStore();
        store.Apply(files.Select(f => new KeyValuePair<string, string?>(f.Path, f.Text)));
        Assert.Empty(store.Current.Rejections);
        return store.Current;
    }

    private static UpPlan Plan(params (string Path, string Text)[] files) => UpPlan.From(Load(files), ".");

    private static ConfigSnapshot Canary() => Load(Directory.GetFiles(Path.Combine(CliRun.RepositoryRoot, "examples", "canary"), "*.yaml")
        .Select(f => (Path.Combine("examples", "canary", Path.GetFileName(f)), File.ReadAllText(f))).ToArray());

    [Fact]
    public void The_canary_runs_both_versions_and_calls_product_catalog()
    {
        var plan = UpPlan.From(Canary(), "examples/canary");

        Assert.Empty(plan.Errors);
        Assert.Equal(
            [
                new PlannedWorkload("product-catalog-v1", "default", "product-catalog", "v1", new IPEndPoint(IPAddress.Loopback, 18081), "examples/canary/service.yaml"),
                new PlannedWorkload("product-catalog-v2", "default", "product-catalog", "v2", new IPEndPoint(IPAddress.Loopback, 18082), "examples/canary/service.yaml"),
            ],
            plan.Workloads);
        var target = Assert.Single(plan.Targets);
        Assert.Equal("product-catalog.default.svc.cluster.local:8080", target.Authority);
        Assert.Equal("examples/canary/virtual-service.yaml", target.File);
        Assert.Equal("not calling frontend.default.svc.cluster.local (VirtualService default/frontend): no ServiceEntry declares it", Assert.Single(plan.Notes));
    }

    private const string Service = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: ratings
        spec:
          hosts: [ratings.default.svc.cluster.local]
          location: MESH_INTERNAL
          resolution: STATIC
          ports:
          - {number: 9080, name: http-api, protocol: HTTP}
          - {number: 9090, name: grpc, protocol: GRPC}
          - {number: 9443, name: tls, protocol: TLS}
          workloadSelector:
            labels: {app: ratings}
        """;

    [Fact]
    public void Short_hosts_resolve_and_only_http_ports_are_called()
    {
        var plan = Plan(("se.yaml", Service), ("vs.yaml", """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: ratings
            spec:
              hosts: [ratings]
              http:
              - route:
                - destination: {host: ratings}
            """));

        Assert.Equal("ratings.default.svc.cluster.local:9080", Assert.Single(plan.Targets).Authority);
    }

    [Fact]
    public void A_virtual_service_for_gateways_only_is_not_called()
    {
        var plan = Plan(("se.yaml", Service), ("vs.yaml", """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: ratings
            spec:
              hosts: [ratings.default.svc.cluster.local]
              gateways: [ingress]
              http:
              - route:
                - destination: {host: ratings.default.svc.cluster.local}
            """));

        Assert.Empty(plan.Targets);
        Assert.Equal("not calling the hosts of VirtualService default/ratings: it routes for gateways only", Assert.Single(plan.Notes));
    }

    [Fact]
    public void Workloads_elsewhere_or_without_ports_are_not_started_and_labels_default()
    {
        var plan = Plan(("we.yaml", """
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata:
              name: remote
            spec:
              address: 10.1.2.3
              ports: {http: 9080}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata:
              name: portless
            spec:
              address: 127.0.0.1
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata:
              name: bare
            spec:
              address: localhost
              ports: {http: 19080, metrics: 19090}
            """));

        Assert.Equal(new PlannedWorkload("bare", "default", "bare", "latest", new IPEndPoint(IPAddress.Loopback, 19080), "./we.yaml"), Assert.Single(plan.Workloads));
        Assert.Equal(
            [
                "not starting WorkloadEntry default/portless: it names no ports, so no sample workload knows where to listen",
                "not starting WorkloadEntry default/remote: its address 10.1.2.3 is not on this machine (127.0.0.1 or localhost)",
            ],
            plan.Notes);
    }

    [Fact]
    public void Two_workloads_on_one_port_is_an_error_naming_both()
    {
        var plan = Plan(("we.yaml", """
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata:
              name: a
            spec:
              address: 127.0.0.1
              ports: {http: 19080}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata:
              name: b
            spec:
              address: 127.0.0.1
              ports: {http: 19080}
            """));

        Assert.Equal("WorkloadEntry default/b (./we.yaml) and WorkloadEntry default/a (./we.yaml) both listen on 127.0.0.1:19080; give each its own port", Assert.Single(plan.Errors));
    }
}
