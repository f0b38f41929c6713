using static Weft.Api.Tests.Validation.Workloads.WorkloadsTestKit;

namespace Weft.Api.Tests.Validation.Workloads;

/// <summary>ServiceEntry rules beyond the corpus cases (after Istio's TestValidateServiceEntries and Test_validateExportTo).</summary>
public sealed class ServiceEntryValidatorTests
{
    private static IReadOnlyList<(Weft.Api.Validation.Severity Severity, string Path, string Message)> Se(string spec, string? metadataExtra = null) =>
        ValidateSpec("ServiceEntry", spec, metadataExtra);

    [Fact]
    public void Unix_endpoint_needs_exactly_one_service_port()
    {
        var findings = Se("""
            hosts: [uds.cluster.local]
            ports:
            - {number: 6553, protocol: grpc, name: grpc-service1}
            - {number: 80, protocol: http, name: http-service2}
            resolution: STATIC
            endpoints:
            - address: unix:///path/to/socket
            """);
        findings.AssertError("spec.endpoints[0].address", "exactly 1 service port required for unix endpoints");
    }

    [Fact]
    public void Unix_endpoint_with_dns_resolution_is_not_a_host()
    {
        var findings = Se("""
            hosts: ['*.google.com']
            ports: [{number: 80, protocol: http, name: http-valid1}]
            endpoints: [{address: 'unix:///lon/google/com'}]
            resolution: DNS
            """);
        findings.AssertError("spec.endpoints[0].address", "endpoint address \"unix:///lon/google/com\" is not a valid FQDN or an IP address");
    }

    [Fact]
    public void Dns_endpoint_with_wildcard_address_is_rejected()
    {
        var findings = Se("""
            hosts: ['*.google.com']
            ports: [{number: 80, protocol: http, name: http-valid1}]
            endpoints: [{address: '*.lon.google.com', ports: {http-valid1: 8080}}]
            resolution: DNS
            """);
        findings.AssertError("spec.endpoints[0].address", "is not a valid FQDN or an IP address");
    }

    [Fact]
    public void Static_endpoint_reports_its_undeclared_port_by_number_and_bad_port_values()
    {
        var findings = Se("""
            hosts: [google.com]
            addresses: [172.1.2.16]
            ports: [{number: 80, protocol: http, name: http-valid1}]
            endpoints:
            - {address: 1.1.1.1, ports: {http-dne: 9080}}
            - {address: 2.2.2.2, ports: {http-valid1: 65536}}
            resolution: STATIC
            """);
        findings.AssertError("spec.endpoints[0].ports[http-dne]", "endpoint port 9080 is not defined by the service entry");
        findings.AssertError("spec.endpoints[1].ports[http-valid1]", "port number 65536 must be in the range 1..65535");
    }

    [Fact]
    public void Static_endpoint_may_omit_address_when_it_names_a_network()
    {
        var findings = Se("""
            hosts: [www.example.com]
            ports: [{number: 443, protocol: HTTPS, name: https-example}]
            endpoints: [{network: cluster-1}]
            resolution: STATIC
            """);
        findings.AssertNoErrors();
        findings.AssertWarning("spec.endpoints[0].address", "address is unset with network \"cluster-1\"");
    }

    [Fact]
    public void Static_endpoint_without_address_or_network_is_rejected()
    {
        Se("""
            hosts: [www.example.com]
            ports: [{number: 443, protocol: HTTPS, name: https-example}]
            endpoints: [{labels: {app: a}}]
            resolution: STATIC
            """).AssertError("spec.endpoints[0].address", "address is required");
    }

    [Fact]
    public void Endpoint_labels_must_be_valid()
    {
        Se("""
            hosts: [google.com]
            ports: [{number: 80, protocol: http, name: http}]
            endpoints: [{address: 1.1.1.1, labels: {'bad key!': v, ok: 'bad value!'}}]
            resolution: STATIC
            """)
            .AssertError("spec.endpoints[0].labels[bad key!]", "invalid tag key: \"bad key!\"");
    }

    [Fact]
    public void Label_tls_mode_istio_on_dns_endpoints_is_fine()
    {
        Se("""
            hosts: ['*.google.com']
            ports: [{number: 80, protocol: http, name: http-valid1}]
            endpoints: [{address: lon.google.com, ports: {http-valid1: 8080}, labels: {security.istio.io/tlsMode: istio}}]
            resolution: DNS
            """).AssertClean();
    }

    [Theory]
    [InlineData("10.0.0.0/8", null)]
    [InlineData("2001:db8::/32", null)]
    [InlineData("1.1.1.1", null)]
    [InlineData("1.1.1", "1.1.1 is not a valid IP")]
    [InlineData("01.1.1.1", "01.1.1.1 is not a valid IP")]
    [InlineData("10.0.0.0/33", "10.0.0.0/33 is not a valid CIDR block")]
    [InlineData("10.0.0.0/08", "10.0.0.0/08 is not a valid CIDR block")]
    [InlineData("1.1.1.1/2/3", "1.1.1.1/2/3 is not a valid IP")]
    public void Addresses_are_ips_or_cidr_blocks(string address, string? error)
    {
        var findings = Se($$"""
            hosts: [google.com]
            addresses: ['{{address}}']
            ports: [{number: 80, protocol: http, name: http}]
            resolution: STATIC
            """);
        if (error is null)
        {
            findings.AssertNoErrors();
        }
        else
        {
            findings.AssertError("spec.addresses[0]", error);
        }
    }

    [Theory]
    [InlineData("DNS", true)]
    [InlineData("DNS_ROUND_ROBIN", true)]
    [InlineData("STATIC", false)]
    [InlineData("NONE", false)]
    public void Cidr_addresses_only_with_none_or_static(string resolution, bool rejected)
    {
        var findings = Se($$"""
            hosts: [google.com]
            addresses: [172.1.2.16/16]
            ports: [{number: 80, protocol: http, name: http}]
            resolution: {{resolution}}
            """);
        if (rejected)
        {
            findings.AssertError("spec.addresses", "CIDR addresses are allowed only for NONE/STATIC resolution types");
        }
        else
        {
            findings.AssertNoErrors();
        }
    }

    [Fact]
    public void Port_fields_are_checked()
    {
        var findings = Se("""
            hosts: [google.com]
            addresses: [1.2.3.4]
            ports:
            - {number: 0, protocol: bogus, name: Bad_Name}
            resolution: STATIC
            """);
        findings.AssertError("spec.ports[0].number", "port number 0 must be in the range 1..65535");
        findings.AssertError("spec.ports[0].protocol", "unsupported protocol: bogus");
        findings.AssertError("spec.ports[0].name", "invalid port name: Bad_Name");
    }

    [Fact]
    public void Tcp_ports_without_addresses_warn_only_when_ips_are_not_allocated()
    {
        // With resolution DNS Istio allocates addresses itself; the opt-out label turns that off.
        const string Spec = """
            hosts: [google.com]
            ports: [{number: 81, protocol: TCP, name: tcp}]
            resolution: DNS
            """;
        Se(Spec).AssertClean();
        Se(Spec, "  labels:\n    networking.istio.io/enable-autoallocate-ip: \"false\"\n")
            .AssertWarning("spec.ports[0].protocol", "addresses are required for ports serving TCP (or unset) protocol when IP Autoallocation is not enabled");
    }

    [Fact]
    public void Several_hosts_need_http_or_tls_ports_unless_resolution_is_none()
    {
        Se("""
            hosts: [a.example.com, b.example.com]
            ports: [{number: 80, protocol: http, name: http}, {number: 81, protocol: TCP, name: tcp}]
            resolution: DNS
            """).AssertError("spec.ports[1].protocol", "multiple hosts provided with non-HTTP, non-TLS ports");
        Se("""
            hosts: [a.example.com, b.example.com]
            addresses: [10.0.0.1]
            ports: [{number: 81, protocol: TCP, name: tcp}]
            resolution: NONE
            """).AssertNoErrors();
    }

    [Fact]
    public void Dynamic_dns_rules()
    {
        var findings = Se("""
            hosts: ['*.google.com', google.com]
            addresses: [10.10.10.10]
            ports: [{number: 81, protocol: TCP, name: tcp}, {number: 9090, protocol: GRPC, name: grpc}]
            endpoints: [{address: in.google.com}]
            resolution: DYNAMIC_DNS
            """);
        findings.AssertError("spec.hosts[1]", "host must be wildcarded for resolution mode DYNAMIC_DNS");
        findings.AssertError("spec.addresses", "addresses cannot be set for resolution type DYNAMIC_DNS");
        findings.AssertError("spec.endpoints", "endpoints cannot be set for resolution type DYNAMIC_DNS");
        findings.AssertError("spec.ports[0].protocol", "only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type DYNAMIC_DNS");
        Assert.DoesNotContain(findings, f => f.Path == "spec.ports[1].protocol");
    }

    [Fact]
    public void Dynamic_dns_needs_hosts()
    {
        Se("""
            hosts: []
            ports: [{number: 80, protocol: http, name: http}]
            resolution: DYNAMIC_DNS
            """).AssertError("spec.hosts", "at least one wildcard host must be provided for resolution type DYNAMIC_DNS");
    }

    [Theory]
    [InlineData("none", false)]
    [InlineData("NONE", false)]
    [InlineData("", false)]
    [InlineData("my-waypoint", true)]
    public void Dynamic_dns_mesh_internal_is_rejected_only_with_a_waypoint(string waypoint, bool rejected)
    {
        var findings = Se(
            """
            hosts: ['*.google.com']
            ports: [{number: 80, protocol: http, name: http}]
            resolution: DYNAMIC_DNS
            location: MESH_INTERNAL
            """,
            $"  labels:\n    istio.io/use-waypoint: '{waypoint}'\n");
        if (rejected)
        {
            findings.AssertError("spec.location", "location MESH_INTERNAL with resolution type DYNAMIC_DNS is not supported when using waypoints");
        }
        else
        {
            findings.AssertNoErrors();
        }
    }

    [Fact]
    public void Resolution_may_be_given_by_number()
    {
        // Istio's decoder accepts enum numbers: 1 is STATIC, so IP endpoints are fine and DNS names are not.
        Se("""
            hosts: [google.com]
            ports: [{number: 80, protocol: http, name: http}]
            endpoints: [{address: google.com}]
            resolution: 1
            """).AssertError("spec.endpoints[0].address", "endpoint address \"google.com\" is not a valid IP address");
    }

    [Fact]
    public void Unknown_resolution_is_rejected()
    {
        Se("""
            hosts: [google.com]
            ports: [{number: 80, protocol: http, name: http}]
            resolution: MAGIC
            """).AssertError("spec.resolution", "unsupported resolution type MAGIC");
    }

    [Fact]
    public void Selector_labels_must_not_be_empty_or_wildcards()
    {
        var findings = Se("""
            hosts: [google.com]
            workloadSelector: {labels: {'': bar}}
            ports: [{number: 80, protocol: http, name: http}]
            """);
        findings.AssertError("spec.workloadSelector.labels[]", "empty key is not supported in selector: \"=bar\"");
        Se("""
            hosts: [google.com]
            workloadSelector: {labels: {app: 'a*'}}
            ports: [{number: 80, protocol: http, name: http}]
            """).AssertError("spec.workloadSelector.labels[app]", "wildcard is not supported in selector: \"app=a*\"");
    }

    [Fact]
    public void Selector_without_labels_warns()
    {
        var findings = Se("""
            hosts: [google.com]
            ports: [{number: 80, protocol: http, name: http}]
            workloadSelector: {}
            resolution: DNS
            """);
        findings.AssertNoErrors();
        findings.AssertWarning("spec.workloadSelector", "service entry: workload selector specified without labels, will be applied to all services in namespace");
    }

    [Theory]
    [InlineData("['*']", null)]
    [InlineData("['.', ns1]", null)]
    [InlineData("[ns1, ns2, bar]", null)]
    [InlineData("['~']", null)]
    [InlineData("['~', ns1]", "cannot export service entry to no one (~) and someone")]
    [InlineData("['.', '*']", "cannot have both public (*) and non-public exportTo values for a resource")]
    [InlineData("['*', ns1]", "cannot have both public (*) and non-public exportTo values for a resource")]
    [InlineData("['.', bar]", "duplicate entries in exportTo for entry bar")]
    [InlineData("[bar, '.']", "duplicate entries in exportTo: . and current namespace bar")]
    [InlineData("[ns1, ns2, ns1]", "duplicate entries in exportTo for entry ns1")]
    [InlineData("[Not_A_Namespace]", "only .,*, or a valid DNS 1123 label is allowed as exportTo entry")]
    public void Export_to(string exportTo, string? error)
    {
        var findings = Se($$"""
            hosts: [google.com]
            ports: [{number: 80, protocol: http, name: http}]
            resolution: DNS
            exportTo: {{exportTo}}
            """);
        if (error is null)
        {
            findings.AssertNoErrors();
        }
        else
        {
            Assert.Contains(findings.Errors(), f => f.Path.StartsWith("spec.exportTo", StringComparison.Ordinal) && f.Message == error);
        }
    }

    [Theory]
    [InlineData("istio.io/dry-run", "bar/foo has unsupported annotation istio.io/dry-run, please remove the annotation")]
    [InlineData("internal.istio.io/webhook-always-reject", "\"internal.istio.io/webhook-always-reject\" annotation found, rejecting")]
    [InlineData("internal.istio.io/parents", "\"internal.istio.io/parents\" annotation found, this may not be set by users")]
    [InlineData("internal.istio.io/parent-namespace", "\"internal.istio.io/parent-namespace\" annotation found, this may not be set by users")]
    public void Reserved_annotations_reject_the_resource(string annotation, string message)
    {
        var findings = Se(
            """
            hosts: [google.com]
            ports: [{number: 80, protocol: http, name: http}]
            resolution: DNS
            """,
            $"  annotations:\n    {annotation}: 'true'\n");
        findings.AssertError($"metadata.annotations[{annotation}]", message);
        Assert.Single(findings);
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var findings = Se("""
            hosts: ['*', 'bad_host']
            addresses: [not-an-ip]
            ports:
            - {number: 70000, protocol: http, name: http}
            - {number: 70000, protocol: http, name: http}
            resolution: DNS
            """);
        Assert.True(findings.Errors().Count() >= 6, findings.Describe());
        findings.AssertError("spec.hosts[0]", "invalid host *");
        findings.AssertError("spec.hosts[1]", "domain name \"bad_host\" invalid (label \"bad_host\" invalid)");
        findings.AssertError("spec.addresses[0]", "not-an-ip is not a valid IP");
        findings.AssertError("spec.ports[1].name", "service entry port name \"http\" already defined");
        findings.AssertError("spec.ports[1].number", "service entry port 70000 already defined");
    }
}
