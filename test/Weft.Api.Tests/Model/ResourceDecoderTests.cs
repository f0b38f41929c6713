using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Model;
using Weft.Api.Model.Kubernetes;
using Weft.Api.Model.Networking;
using Weft.Api.Model.Security;
using Weft.Api.Validation;

namespace Weft.Api.Tests.Model;

public sealed class ResourceDecoderTests
{
    private static (Resource? Resource, List<Diagnostic> Diagnostics) Decode(string yaml)
    {
        var diagnostics = new List<Diagnostic>();
        var root = (MapNode)YamlReader.Read(yaml, "t.yaml").Single().Root!;
        return (ResourceDecoder.Decode(root, diagnostics), diagnostics);
    }

    [Theory]
    [InlineData("networking.istio.io/v1")]
    [InlineData("networking.istio.io/v1beta1")]
    [InlineData("networking.istio.io/v1alpha3")]
    public void Virtual_service_decodes_to_typed_routes_under_every_served_version(string apiVersion)
    {
        var (resource, diagnostics) = Decode($$$"""
            apiVersion: {{{apiVersion}}}
            kind: VirtualService
            metadata: {name: reviews, namespace: prod, labels: {app: reviews}}
            spec:
              hosts: [reviews]
              http:
              - match:
                - headers: {end-user: {exact: jason}}
                  uri: {prefix: /api}
                route:
                - destination: {host: reviews, subset: v2, port: {number: 9080}}
                  weight: 90
                - destination: {host: reviews, subset: v3}
                  weight: 10
                retries: {attempts: 3, perTryTimeout: 2s}
            """);
        Assert.Empty(diagnostics);
        Assert.Equal("prod", resource!.Namespace);
        Assert.Equal("reviews", resource.Metadata.Labels["app"]);
        var spec = resource.SpecAs<VirtualServiceSpec>();
        var route = Assert.Single(spec.Http!);
        Assert.Equal("jason", route.Match![0].Headers!["end-user"].Exact);
        Assert.Equal("/api", route.Match[0].Uri!.Prefix);
        Assert.Equal([90L, 10L], route.Route!.Select(r => r.Weight!.Value));
        Assert.Equal(9080, route.Route![0].Destination!.Port!.Number);
        Assert.Equal(3, route.Retries!.Attempts);
        Assert.Equal("2s", route.Retries!.PerTryTimeout);
    }

    [Fact]
    public void Destination_rule_subsets_share_the_traffic_policy_type()
    {
        var (resource, _) = Decode("""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: r}
            spec:
              host: r
              trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
              subsets:
              - name: v1
                labels: {version: v1}
                trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}
            """);
        var spec = resource!.SpecAs<DestinationRuleSpec>();
        Assert.Equal("LEAST_REQUEST", spec.TrafficPolicy!.LoadBalancer!.Simple);
        TrafficPolicy subsetPolicy = spec.Subsets![0].TrafficPolicy!;
        Assert.Equal("x-user", subsetPolicy.LoadBalancer!.ConsistentHash!.HttpHeaderName);
    }

    [Fact]
    public void Authorization_policy_decodes_rules()
    {
        var (resource, _) = Decode("""
            apiVersion: security.istio.io/v1beta1
            kind: AuthorizationPolicy
            metadata: {name: p, namespace: foo}
            spec:
              action: DENY
              rules:
              - from: [{source: {principals: ["cluster.local/ns/a/sa/b"]}}]
                to: [{operation: {methods: [GET], paths: ["/admin*"]}}]
                when: [{key: "request.headers[x-a]", values: ["1"]}]
            """);
        var spec = resource!.SpecAs<AuthorizationPolicySpec>();
        Assert.Equal("DENY", spec.Action);
        Assert.Equal("cluster.local/ns/a/sa/b", spec.Rules![0].From![0].Source!.Principals![0]);
        Assert.Equal("request.headers[x-a]", spec.Rules[0].When![0].Key);
    }

    [Fact]
    public void Kubernetes_kinds_sharing_the_files_decode()
    {
        var (service, _) = Decode("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: s}\n  ports: [{name: http, port: 80, targetPort: 8080}]\n");
        var ports = service!.SpecAs<ServiceSpec>().Ports;
        Assert.Equal("8080", ports[0].TargetPort);

        var (secret, _) = Decode("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\ndata: {tls.crt: aGVsbG8=}\n");
        Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(secret!.SpecAs<SecretData>().Data["tls.crt"]));

        var (configMap, _) = Decode("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio}\ndata: {mesh: 'rootNamespace: istio-system'}\n");
        Assert.Equal("rootNamespace: istio-system", configMap!.SpecAs<ConfigMapData>().Data["mesh"]);

        var (slice, _) = Decode("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s-1, labels: {kubernetes.io/service-name: s}}\naddressType: IPv4\nendpoints: [{addresses: [10.0.0.1], conditions: {ready: false}}]\nports: [{name: http, port: 8080}]\n");
        var data = slice!.SpecAs<EndpointSliceData>();
        Assert.Equal("s", data.ServiceName);
        Assert.False(data.Endpoints[0].Ready);

        var (deployment, _) = Decode("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 2\n  template:\n    metadata: {labels: {app: d, version: v1}}\n    spec:\n      serviceAccountName: d\n      containers: [{name: c, image: i, ports: [{containerPort: 9080}]}]\n");
        var d = deployment!.SpecAs<DeploymentSpec>();
        Assert.Equal("v1", d.TemplateLabels!["version"]);
        Assert.Equal(9080, d.Template!.Containers[0].Ports[0].ContainerPortNumber);
    }

    [Fact]
    public void Unknown_kind_and_unserved_version_are_errors_that_say_what_is_served()
    {
        var (none, diagnostics) = Decode("apiVersion: networking.istio.io/v1\nkind: VirtualServce\nmetadata: {name: x}\n");
        Assert.Null(none);
        Assert.Contains("unknown kind VirtualServce", diagnostics.Single().Message);

        var (old, diagnostics2) = Decode("apiVersion: networking.istio.io/v2\nkind: VirtualService\nmetadata: {name: x}\n");
        Assert.Null(old);
        Assert.Contains("networking.istio.io/v1beta1", diagnostics2.Single().Message);
    }

    [Fact]
    public void Every_istio_kind_is_registered_with_its_served_versions()
    {
        string[] kinds = ["VirtualService", "DestinationRule", "Gateway", "ServiceEntry", "WorkloadEntry", "WorkloadGroup", "Sidecar", "EnvoyFilter", "ProxyConfig", "AuthorizationPolicy", "PeerAuthentication", "RequestAuthentication", "Telemetry", "WasmPlugin"];
        foreach (var kind in kinds)
        {
            var found = KindRegistry.All.Single(k => k.Kind == kind && k.Group.EndsWith("istio.io", StringComparison.Ordinal));
            Assert.All(found.Versions, v => Assert.NotNull(v.Schema!()));
        }

        Assert.Equal(["v1", "v1alpha1"], KindRegistry.Find("telemetry.istio.io", "Telemetry")!.Versions.Select(v => v.Name).Order());
    }
}
