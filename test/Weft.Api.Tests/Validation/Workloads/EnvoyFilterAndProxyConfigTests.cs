using static Weft.Api.Tests.Validation.Workloads.WorkloadsTestKit;

namespace Weft.Api.Tests.Validation.Workloads;

/// <summary>EnvoyFilter and ProxyConfig (after Istio's TestValidateEnvoyFilter and TestValidateProxyConfig).</summary>
public sealed class EnvoyFilterAndProxyConfigTests
{
    private const string Fragile = "EnvoyFilter exposes internal implementation details that may change at any time.";

    private static IReadOnlyList<(Weft.Api.Validation.Severity Severity, string Path, string Message)> Ef(string spec) =>
        ValidateSpec("EnvoyFilter", spec);

    [Fact]
    public void Every_envoy_filter_warns_that_it_is_fragile()
    {
        var findings = Ef("{}");
        findings.AssertNoErrors();
        findings.AssertWarning("spec", Fragile);
    }

    [Fact]
    public void Selector_without_labels_warns() =>
        Ef("workloadSelector: {}").AssertWarning(
            "spec.workloadSelector", "Envoy filter: workload selector specified without labels, will be applied to all services in namespace");

    [Theory]
    [InlineData("- {patch: {operation: REMOVE}}", "spec.configPatches[0].applyTo", "Envoy filter: missing applyTo")]
    [InlineData("- {applyTo: INVALID}", "spec.configPatches[0].applyTo", "Envoy filter: missing applyTo")]
    [InlineData("- {applyTo: LISTENER}", "spec.configPatches[0].patch", "Envoy filter: missing patch")]
    [InlineData("- {applyTo: LISTENER, patch: {}}", "spec.configPatches[0].patch.operation", "Envoy filter: missing patch operation")]
    [InlineData("- {applyTo: LISTENER, patch: {operation: ADD}}", "spec.configPatches[0].patch.value", "Envoy filter: missing patch value for non-remove operation")]
    [InlineData(
        "- {applyTo: LISTENER, match: {proxy: {proxyVersion: '%#@~++==`24c234`'}}, patch: {operation: REMOVE}}",
        "spec.configPatches[0].match.proxy.proxyVersion",
        "Envoy filter: invalid regex for proxy version, [error parsing regexp: invalid nested repetition operator: `++`]")]
    [InlineData(
        "- {applyTo: LISTENER, match: {cluster: {}}, patch: {operation: REMOVE}}",
        "spec.configPatches[0].match",
        "Envoy filter: applyTo for listener class objects cannot have non listener match")]
    [InlineData(
        "- {applyTo: NETWORK_FILTER, match: {listener: {filterChain: {sni: '124', filter: {}}}}, patch: {operation: REMOVE}}",
        "spec.configPatches[0].match.listener.filterChain.filter.name",
        "Envoy filter: filter match has no name to match on")]
    [InlineData(
        "- {applyTo: NETWORK_FILTER, match: {listener: {filterChain: {filter: {name: random, subFilter: {}}}}}, patch: {operation: REMOVE}}",
        "spec.configPatches[0].match.listener.filterChain.filter.subFilter",
        "Envoy filter: subfilter match can be used with applyTo HTTP_FILTER only")]
    [InlineData(
        "- {applyTo: HTTP_FILTER, match: {listener: {filterChain: {filter: {name: random, subFilter: {}}}}}, patch: {operation: REMOVE}}",
        "spec.configPatches[0].match.listener.filterChain.filter.name",
        "Envoy filter: subfilter match requires filter match with envoy.filters.network.http_connection_manager")]
    [InlineData(
        "- {applyTo: HTTP_FILTER, match: {listener: {filterChain: {filter: {name: envoy.filters.network.http_connection_manager, subFilter: {}}}}}, patch: {operation: REMOVE}}",
        "spec.configPatches[0].match.listener.filterChain.filter.subFilter.name",
        "Envoy filter: subfilter match has no name to match on")]
    [InlineData(
        "- {applyTo: VIRTUAL_HOST, match: {cluster: {}}, patch: {operation: REMOVE}}",
        "spec.configPatches[0].match",
        "Envoy filter: applyTo for http route class objects cannot have non route configuration match")]
    [InlineData(
        "- {applyTo: CLUSTER, match: {listener: {}}, patch: {operation: REMOVE}}",
        "spec.configPatches[0].match",
        "Envoy filter: applyTo for cluster class objects cannot have non cluster match")]
    [InlineData(
        "- {applyTo: CLUSTER, match: {cluster: {}}, patch: {operation: ADD, value: {name: false}}}",
        "spec.configPatches[0].patch.value.name",
        "Envoy filter: json: cannot unmarshal bool into Go value of type string")]
    [InlineData(
        "- applyTo: NETWORK_FILTER\n  match: {listener: {filterChain: {name: envoy.tcp_proxy}}}\n  patch:\n    operation: INSERT_FIRST\n    value: {typed_config: {'@type': type.googleapis.com/envoy.config.filter.network.ext_authz.v2.ExtAuthz}}",
        "spec.configPatches[0].patch.value",
        "referenced type unknown (hint: try using the v3 XDS API)")]
    public void Invalid_patches(string patches, string path, string message)
    {
        var findings = Ef("configPatches:\n" + patches);
        findings.AssertError(path, message);
    }

    [Fact]
    public void Happy_config()
    {
        var findings = Ef("""
            configPatches:
            - applyTo: CLUSTER
              match: {cluster: {}}
              patch: {operation: ADD, value: {lb_policy: RING_HASH}}
            - applyTo: NETWORK_FILTER
              match: {listener: {filterChain: {name: envoy.tcp_proxy}}}
              patch:
                operation: INSERT_BEFORE
                value: {typed_config: {'@type': type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz}}
            - applyTo: LISTENER
              match: {proxy: {proxyVersion: 'release-1\.2-23434'}}
              patch: {operation: REMOVE}
            - applyTo: CLUSTER
              patch: {operation: ADD, value: {dns_refresh_rate: 500ms}}
            """);
        findings.AssertNoErrors();
        Assert.Equal([Fragile], findings.Warnings().Select(w => w.Message[..Fragile.Length]));
    }

    [Fact]
    public void Deprecated_filter_names_and_filters_without_typed_config_warn()
    {
        var findings = Ef("""
            configPatches:
            - applyTo: HTTP_FILTER
              match: {listener: {filterChain: {filter: {name: envoy.http_connection_manager}}}}
              patch: {operation: INSERT_FIRST, value: {name: envoy.filters.http.lua}}
            """);
        findings.AssertNoErrors();
        findings.AssertWarning(
            "spec.configPatches[0].match.listener.filterChain.filter.name",
            "using deprecated filter name \"envoy.http_connection_manager\"; use \"envoy.filters.network.http_connection_manager\" instead");
        findings.AssertWarning("spec.configPatches[0].patch.value", "using deprecated types by name without typed_config; envoy.filters.http.lua");
    }

    [Fact]
    public void Filter_match_with_listener_apply_to_warns()
    {
        Ef("""
            configPatches:
            - applyTo: FILTER_CHAIN
              match: {listener: {filterChain: {filter: {name: envoy.filters.network.tcp_proxy}}}}
              patch: {operation: REMOVE}
            """).AssertWarning("spec.configPatches[0].match.listener.filterChain.filter", "Envoy filter: filter match has no effect when used with FILTER_CHAIN");
    }

    [Fact]
    public void Long_proxy_version_warns_instead_of_compiling()
    {
        var pattern = string.Concat(Enumerable.Repeat("a{100}", 200));
        Ef($"configPatches:\n- {{applyTo: LISTENER, match: {{proxy: {{proxyVersion: '{pattern}'}}}}, patch: {{operation: REMOVE}}}}")
            .AssertWarning("spec.configPatches[0].match.proxy.proxyVersion", "Envoy filter: proxyVersion match exceeds 1024 characters and will be ignored");
    }

    [Fact]
    public void Waypoint_patches_are_not_checked() =>
        Ef("configPatches:\n- {match: {context: WAYPOINT, waypoint: {}}}").AssertNoErrors();

    [Fact]
    public void Operations_and_apply_to_may_be_numbers() =>
        Ef("configPatches:\n- {applyTo: 1, patch: {operation: 3}}").AssertNoErrors();

    [Theory]
    [InlineData("{}", null, null)]
    [InlineData("concurrency: 0\nimage: {imageType: distroless}\nenvironmentVariables: {A: b}", null, null)]
    [InlineData("concurrency: -1", "spec.concurrency", "concurrency must be greater than or equal to 0")]
    [InlineData("selector: {matchLabels: {'': bar}}", "spec.selector.matchLabels[]", "empty key is not supported in selector: \"=bar\"")]
    [InlineData("selector: {matchLabels: {app: 'x*'}}", "spec.selector.matchLabels[app]", "wildcard is not supported in selector: \"app=x*\"")]
    public void Proxy_config(string spec, string? path, string? message)
    {
        var findings = ValidateSpec("ProxyConfig", spec);
        if (path is null)
        {
            findings.AssertClean();
        }
        else
        {
            findings.AssertError(path, message!);
        }
    }

    [Fact]
    public void Proxy_config_selector_without_labels_warns()
    {
        var findings = ValidateSpec("ProxyConfig", "selector: {}\nconcurrency: 2");
        findings.AssertNoErrors();
        findings.AssertWarning("spec.selector", "workload selector specified without labels");
    }
}
