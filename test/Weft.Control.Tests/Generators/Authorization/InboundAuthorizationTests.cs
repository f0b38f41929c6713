using Weft.Control.Generators.Authorization;
using Weft.Control.Model;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.ExtAuthz.V3;
using HttpRbac = Weft.Xds.Envoy.Extensions.Filters.Http.Rbac.V3.RBAC;
using NetworkRbac = Weft.Xds.Envoy.Extensions.Filters.Network.Rbac.V3.RBAC;
using RbacAction = Weft.Xds.Envoy.Config.Rbac.V3.RBAC.Types.Action;
using static Weft.Control.Tests.Support.ListenerTestSupport;

namespace Weft.Control.Tests.Generators.Authorization;

/// <summary>
/// Where AuthorizationPolicies land on a sidecar: which policies select the workload (root namespace, own namespace,
/// selector, targetRef), and the filters on every inbound chain in Istio's order.
/// </summary>
public sealed class InboundAuthorizationTests
{
    private const string Workload = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: app, namespace: default}
        spec: {address: 10.0.0.1, labels: {app: reviews, version: v1}, ports: {http: 8080, tcp: 5000}}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews.default.svc.cluster.local]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 9080, name: http, protocol: HTTP}, {number: 5000, name: tcp, protocol: TCP}]
          workloadSelector: {labels: {app: reviews}}
        """;

    private static string Policy(string name, string ns, string spec) => "\n" + $"""
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {"{"}name: {name}, namespace: {ns}{"}"}
        spec:
        {spec}
        """;

    private static Listener VirtualInbound(string yaml, MeshConfig? mesh = null)
    {
        var push = NewPush(Workload + yaml, mesh);
        return ListenerOf(Sidecar(push: push), push, "virtualInbound");
    }

    private static IReadOnlyList<string> HttpFilterNames(Listener listener, string chain) =>
        Hcm(Chain(listener, chain))!.HttpFilters.Select(f => f.Name).ToArray();

    [Fact]
    public void Without_policies_chains_carry_no_authorization_filters()
    {
        var listener = VirtualInbound(string.Empty);
        Assert.Equal(["istio.metadata_exchange", "envoy.filters.http.fault", "envoy.filters.http.cors", "istio.stats", "envoy.filters.http.router"], HttpFilterNames(listener, "0.0.0.0_8080"));
        Assert.Equal(["istio.metadata_exchange", "istio.stats", "envoy.filters.network.tcp_proxy"], Chain(listener, "0.0.0.0_5000").Filters.Select(f => f.Name));
    }

    [Fact]
    public void Audit_deny_and_allow_filters_come_in_that_order_before_fault_cors_and_router_on_every_http_chain()
    {
        var listener = VirtualInbound(
            Policy("allow-get", "default", "  rules: [{to: [{operation: {methods: [GET]}}]}]")
            + Policy("deny-admin", "default", "  action: DENY\n  rules: [{to: [{operation: {paths: [/admin]}}]}]")
            + Policy("audit", "default", "  action: AUDIT\n  rules: [{}]"));

        foreach (var chain in new[] { "0.0.0.0_8080", "virtualInbound-catchall-http" })
        {
            var filters = Hcm(Chain(listener, chain))!.HttpFilters;
            Assert.Equal(
                ["istio.metadata_exchange", "envoy.filters.http.rbac", "envoy.filters.http.rbac", "envoy.filters.http.rbac", "envoy.filters.http.fault", "envoy.filters.http.cors", "istio.stats", "envoy.filters.http.router"],
                filters.Select(f => f.Name));
            Assert.Equal(
                [RbacAction.Log, RbacAction.Deny, RbacAction.Allow],
                filters.Skip(1).Take(3).Select(f => f.TypedConfig.Unpack<HttpRbac>().Rules.Action));
            Assert.Equal(["ns[default]-policy[allow-get]-rule[0]"], filters[3].TypedConfig.Unpack<HttpRbac>().Rules.Policies.Keys);
        }
    }

    [Fact]
    public void Tcp_chains_get_network_rbac_before_tcp_proxy_and_an_http_only_allow_rule_is_dropped_there()
    {
        var listener = VirtualInbound(Policy("mixed", "default", """
              rules:
              - to: [{operation: {methods: [GET]}}]
              - to: [{operation: {ports: ["5000"]}}]
            """));

        foreach (var chain in new[] { "0.0.0.0_5000", "virtualInbound" })
        {
            var filters = Chain(listener, chain).Filters;
            Assert.Equal(["istio.metadata_exchange", "envoy.filters.network.rbac", "istio.stats", "envoy.filters.network.tcp_proxy"], filters.Select(f => f.Name));
            var rbac = filters[1].TypedConfig.Unpack<NetworkRbac>();
            Assert.Equal("tcp.", rbac.StatPrefix);
            Assert.Equal(["ns[default]-policy[mixed]-rule[1]"], rbac.Rules.Policies.Keys);
        }
    }

    [Fact]
    public void Root_namespace_policies_apply_to_every_workload_and_other_namespaces_do_not()
    {
        var listener = VirtualInbound(
            Policy("mesh-wide", "istio-system", "  action: DENY\n  rules: [{from: [{source: {notNamespaces: [default]}}]}]")
            + Policy("elsewhere", "other", "  rules: [{}]"));

        var filters = Hcm(Chain(listener, "0.0.0.0_8080"))!.HttpFilters;
        var rbac = Assert.Single(filters, f => f.Name == "envoy.filters.http.rbac").TypedConfig.Unpack<HttpRbac>();
        Assert.Equal(RbacAction.Deny, rbac.Rules.Action);
        Assert.Equal(["ns[istio-system]-policy[mesh-wide]-rule[0]"], rbac.Rules.Policies.Keys);
    }

    [Theory]
    [InlineData("  selector: {matchLabels: {app: reviews}}\n  rules: [{}]", true)]
    [InlineData("  selector: {matchLabels: {app: reviews, version: v1}}\n  rules: [{}]", true)]
    [InlineData("  selector: {matchLabels: {app: ratings}}\n  rules: [{}]", false)]
    [InlineData("  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: reviews}]\n  rules: [{}]", false)]
    public void A_selector_must_be_a_subset_of_the_workload_labels_and_a_targetRef_never_selects_a_sidecar(string spec, bool applies)
    {
        var filters = Hcm(Chain(VirtualInbound(Policy("p", "default", spec)), "0.0.0.0_8080"))!.HttpFilters;
        Assert.Equal(applies, filters.Any(f => f.Name == "envoy.filters.http.rbac"));
    }

    [Fact]
    public void An_allow_policy_without_rules_allows_nothing_and_a_dry_run_one_becomes_shadow_rules()
    {
        var listener = VirtualInbound(
            Policy("allow-nothing", "default", "  {}")
            + Policy("trial", "default", "  rules: [{to: [{operation: {paths: [/try]}}]}]").Replace("metadata: {name: trial, namespace: default}", "metadata: {name: trial, namespace: default, annotations: {istio.io/dry-run: \"true\"}}", StringComparison.Ordinal));

        var rbac = Hcm(Chain(listener, "0.0.0.0_8080"))!.HttpFilters[1].TypedConfig.Unpack<HttpRbac>();
        var never = Assert.Single(rbac.Rules.Policies).Value;
        Assert.Equal("ns[default]-policy[allow-nothing]-rule[0]", Assert.Single(rbac.Rules.Policies).Key);
        Assert.True(never.Permissions[0].NotRule.Any);
        Assert.True(never.Principals[0].NotId.Any);
        Assert.Equal(["ns[default]-policy[trial]-rule[0]"], rbac.ShadowRules.Policies.Keys);
        Assert.Equal("istio_dry_run_allow_", rbac.ShadowRulesStatPrefix);
    }

    [Fact]
    public void Custom_policies_use_the_mesh_extension_provider_and_come_before_the_local_rbac()
    {
        var mesh = MeshConfigReader.Read("""
            extensionProviders:
            - name: opa
              envoyExtAuthzHttp: {service: reviews.default.svc.cluster.local, port: 9080, pathPrefix: /check}
            """, "mesh.yaml");
        var listener = VirtualInbound(
            Policy("ext", "default", "  action: CUSTOM\n  provider: {name: opa}\n  rules: [{to: [{operation: {paths: [/secure/*]}}]}]")
            + Policy("allow", "default", "  rules: [{}]"), mesh);

        var filters = Hcm(Chain(listener, "0.0.0.0_8080"))!.HttpFilters;
        Assert.Equal(["istio.metadata_exchange", "envoy.filters.http.rbac", "envoy.filters.http.ext_authz", "envoy.filters.http.rbac", "envoy.filters.http.fault", "envoy.filters.http.cors", "istio.stats", "envoy.filters.http.router"], filters.Select(f => f.Name));
        var marker = filters[1].TypedConfig.Unpack<HttpRbac>();
        Assert.Null(marker.Rules);
        Assert.Equal(["istio-ext-authz-opa-ns[default]-policy[ext]-rule[0]"], marker.ShadowRules.Policies.Keys);
        var extAuthz = filters[2].TypedConfig.Unpack<ExtAuthz>();
        Assert.Equal("outbound|9080||reviews.default.svc.cluster.local", extAuthz.HttpService.ServerUri.Cluster);
        Assert.Equal("istio-ext-authz-opa", extAuthz.FilterEnabledMetadata.Value.StringMatch.Prefix);
    }

    [Fact]
    public void A_custom_policy_naming_an_unknown_provider_denies_what_it_would_have_checked()
    {
        var listener = VirtualInbound(Policy("ext", "default", "  action: CUSTOM\n  provider: {name: missing}\n  rules: [{to: [{operation: {paths: [/secure/*]}}]}]"));

        var rbac = Assert.Single(Hcm(Chain(listener, "0.0.0.0_8080"))!.HttpFilters, f => f.Name == "envoy.filters.http.rbac").TypedConfig.Unpack<HttpRbac>();
        Assert.Equal(RbacAction.Deny, rbac.Rules.Action);
        Assert.Equal(["istio-ext-authz-missing-ns[default]-policy[ext]-rule[0]-deny-due-to-bad-CUSTOM-action"], rbac.Rules.Policies.Keys);
    }

    [Fact]
    public void Trust_domain_aliases_of_the_mesh_expand_principals()
    {
        var mesh = MeshConfigReader.Read("trustDomain: new.td\ntrustDomainAliases: [old.td]", "mesh.yaml");
        var listener = VirtualInbound(Policy("p", "default", "  rules: [{from: [{source: {principals: [cluster.local/ns/default/sa/productpage]}}]}]"), mesh);

        var rbac = Hcm(Chain(listener, "0.0.0.0_8080"))!.HttpFilters[1].TypedConfig.Unpack<HttpRbac>();
        var names = rbac.Rules.Policies.Single().Value.Principals[0].AndIds.Ids[0].OrIds.Ids.Select(i => i.Authenticated.PrincipalName.Exact);
        Assert.Equal(["spiffe://new.td/ns/default/sa/productpage", "spiffe://old.td/ns/default/sa/productpage"], names);
    }

    [Fact]
    public void Gateways_carry_the_policies_that_select_them_on_their_http_connection_managers()
    {
        var push = NewPush("""
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: web, namespace: istio-system}
            spec:
              selector: {istio: ingressgateway}
              servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: ingress-deny, namespace: istio-system}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              action: DENY
              rules: [{from: [{source: {remoteIpBlocks: [203.0.113.0/24]}}]}]
            """);
        var listener = ListenerOf(Router(), push, "0.0.0.0_80");

        var filters = Hcm(Assert.Single(listener.FilterChains))!.HttpFilters;
        Assert.Equal(["istio.metadata_exchange", "envoy.filters.http.rbac", "istio.alpn", "envoy.filters.http.fault", "envoy.filters.http.cors", "istio.stats", "envoy.filters.http.router"], filters.Select(f => f.Name));
        Assert.Equal(["ns[istio-system]-policy[ingress-deny]-rule[0]"], filters[1].TypedConfig.Unpack<HttpRbac>().Rules.Policies.Keys);
    }
}
