using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Validation;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Tests.Validation.Rules;

/// <summary>The shared rule helpers other kinds use too (exportTo, selectors, namespaced hosts, annotations).</summary>
public sealed class SharedRuleTests
{
    private static ValidationContext Context(string annotations = "", string apiVersion = "networking.istio.io/v1", string kind = "Sidecar")
    {
        var yaml = $"apiVersion: {apiVersion}\nkind: {kind}\nmetadata:\n  name: s\n  namespace: ns1\n{annotations}spec: {{}}\n";
        var resource = ResourceDecoder.Decode((MapNode)YamlReader.Read(yaml, "t.yaml").Single().Root!, new List<Diagnostic>())!;
        return new ValidationContext(resource);
    }

    private static List<string> Messages(ValidationContext context) => context.Findings.Select(f => $"{f.Severity} {f.Path}: {f.Message}").ToList();

    [Fact]
    public void Service_entries_may_export_to_no_one_but_only_alone()
    {
        var alone = Context();
        ExportTo.Validate(alone, "spec.exportTo", "ns1", ["~"], isServiceEntry: true, isDestinationRuleWithSelector: false);
        Assert.Empty(alone.Findings);

        var mixed = Context();
        ExportTo.Validate(mixed, "spec.exportTo", "ns1", ["~", "ns2"], isServiceEntry: true, isDestinationRuleWithSelector: false);
        Assert.Equal(["Error spec.exportTo: cannot export service entry to no one (~) and someone"], Messages(mixed));

        var other = Context();
        ExportTo.Validate(other, "spec.exportTo", "ns1", ["~"], isServiceEntry: false, isDestinationRuleWithSelector: false);
        Assert.Equal(["Error spec.exportTo[0]: exportTo ~ (none) is not allowed for Istio configuration objects"], Messages(other));
    }

    [Fact]
    public void Selector_labels()
    {
        var context = Context();
        WorkloadSelectors.Validate(context, "spec.selector", "spec.selector.matchLabels", new Dictionary<string, string> { ["app"] = "a*", [""] = "x" });
        Assert.Equal(
            [
                "Error spec.selector.matchLabels[app]: wildcard is not supported in selector: \"app=a*\"",
                "Error spec.selector.matchLabels[]: empty key is not supported in selector: \"=x\"",
            ],
            Messages(context));

        var empty = Context();
        WorkloadSelectors.Validate(empty, "spec.selector", "spec.selector.matchLabels", null);
        Assert.Equal(["Warning spec.selector: workload selector specified without labels"], Messages(empty));
    }

    [Theory]
    [InlineData("ns1/foo.com", false, new string[0])]
    [InlineData("*/*", false, new string[0])]
    [InlineData("~ns1/*", false, new string[0])]
    [InlineData("./*.foo.com", false, new string[0])]
    [InlineData("foo.com", false, new[] { "host must be of form namespace/dnsName" })]
    [InlineData("n_s/foo.com", false, new[] { "invalid namespace value \"n_s\" in sidecar" })]
    [InlineData("ns/10.0.0.1", false, new[] { "domain name \"0.0.1\" invalid (top level domain \"1\" cannot be all-numeric)" })]
    [InlineData("ns/foo", false, new[] { "short names (non FQDN) are not allowed" })]
    [InlineData("ns/a.b!c", false, new[] { "domain name \"b!c\" invalid (label \"b!c\" invalid)", "domain name \"b!c\" invalid (label \"b!c\" invalid)" })]
    [InlineData("ns/10.0.0.1", true, new string[0])]
    [InlineData("foo", true, new[] { "short names (non FQDN) are not allowed" })]
    [InlineData("*.foo*.com", true, new[] { "domain name \"foo*.com\" invalid (label \"foo*\" invalid)" })]
    [InlineData("foo*.com", true, new[] { "domain name \"foo*.com\" invalid (label \"foo*\" invalid)", "partial wildcard \"foo*.com\" not allowed" })]
    [InlineData("*bar.com", true, new[] { "partial wildcard \"*bar.com\" not allowed" })]
    public void Namespaced_hosts(string host, bool isGateway, string[] errors) =>
        Assert.Equal(errors, NamespacedHosts.Validate(host, isGateway, gatewaySemantics: false));

    [Fact]
    public void Internal_annotations_are_rejected()
    {
        var context = Context("  annotations:\n    internal.istio.io/parents: x\n");
        Assert.False(ResourceAnnotations.Validate(context));
        Assert.Equal(["Error metadata.annotations[internal.istio.io/parents]: \"internal.istio.io/parents\" annotation found, this may not be set by users"], Messages(context));

        var dryRun = Context("  annotations:\n    istio.io/dry-run: \"true\"\n", "security.istio.io/v1", "AuthorizationPolicy");
        Assert.True(ResourceAnnotations.Validate(dryRun));
        Assert.Empty(dryRun.Findings);
    }
}
