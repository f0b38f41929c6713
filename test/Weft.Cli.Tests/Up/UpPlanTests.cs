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
                ("product-catalog-v1", "default", "product-catalog", "v1", "127.0.0.1:18081", "examples/canary/service.yaml", "product-catalog"),
                ("product-catalog-v2", "default", "product-catalog", "v2", "127.0.0.1:18082", "examples/canary/service.yaml", "product-catalog"),
            ],
            plan.Workloads.Select(Shape));
        Assert.All(plan.Workloads, w => Assert.Null(w.Sidecar));
        Assert.Null(plan.ClientServiceAccount);
        Assert.False(plan.NeedsCertificates);
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

        Assert.Equal(("bare", "default", "bare", "latest", "127.0.0.1:19080", "./we.yaml", "default"), Shape(Assert.Single(plan.Workloads)));
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

    [Fact]
    public void The_mtls_canary_runs_each_version_behind_its_sidecar_and_gives_the_client_an_identity()
    {
        var config = Load(Directory.GetFiles(Path.Combine(CliRun.RepositoryRoot, "examples", "canary-mtls"), "*.yaml")
            .Select(f => (Path.Combine("examples", "canary-mtls", Path.GetFileName(f)), File.ReadAllText(f))).ToArray());
        var plan = UpPlan.From(config, "examples/canary-mtls");

        Assert.Empty(plan.Errors);
        Assert.Equal(
            [
                ("product-catalog-v1", "127.0.0.1:18181", "127.0.0.1:28181", "Sidecar default/product-catalog-v1", "product-catalog"),
                ("product-catalog-v2", "127.0.0.1:18182", "127.0.0.1:28182", "Sidecar default/product-catalog-v2", "product-catalog"),
            ],
            plan.Workloads.Select(w => (w.Name, w.Address.ToString(), w.AppAddress.ToString(), w.Sidecar?.Resource, w.ServiceAccount)));
        Assert.Equal("weft-up-client", plan.ClientServiceAccount);
        Assert.True(plan.NeedsCertificates);
        Assert.Equal("sidecar~127.0.0.1~product-catalog-v1.default~default.svc.cluster.local", plan.Workloads[0].NodeId);
    }

    private static (string, string, string, string, string, string, string) Shape(PlannedWorkload w) =>
        (w.Name, w.Namespace, w.Service, w.Version, w.Address.ToString(), w.File, w.ServiceAccount);
}
