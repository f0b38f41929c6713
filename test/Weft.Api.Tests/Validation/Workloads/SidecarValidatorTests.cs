using static Weft.Api.Tests.Validation.Workloads.WorkloadsTestKit;

namespace Weft.Api.Tests.Validation.Workloads;

/// <summary>Sidecar rules beyond the corpus cases (after Istio's TestValidateSidecar).</summary>
public sealed class SidecarValidatorTests
{
    private static IReadOnlyList<(Weft.Api.Validation.Severity Severity, string Path, string Message)> Sc(string spec) =>
        ValidateSpec("Sidecar", spec);

    private const string Ingress90 = """
        ingress:
        - port: {protocol: http, number: 90, name: foo}
        """;

    [Theory]
    [InlineData("./foo.com")]
    [InlineData("~/foo.com")]
    [InlineData("ns1/*.example.com")]
    public void Egress_host_forms_that_are_accepted(string host) =>
        Sc($"egress:\n- hosts: ['*/*', '{host}']").AssertNoErrors();

    [Theory]
    [InlineData("foo", "host must be of form namespace/dnsName")]
    [InlineData("ns1/", "config namespace and dnsName in host entry cannot be empty")]
    [InlineData("ns1/foo", "short names (non FQDN) are not allowed")]
    [InlineData("ns1/foo*.com", "partial wildcard \"foo*.com\" not allowed")]
    [InlineData("Bad_NS/foo.com", "invalid namespace value \"Bad_NS\" in sidecar")]
    [InlineData("ns1/bad_host.com", "domain name \"bad_host.com\" invalid (label \"bad_host\" invalid)")]
    public void Egress_host_forms_that_are_rejected(string host, string message) =>
        Sc($"egress:\n- hosts: ['{host}']").AssertError("spec.egress[0].hosts[0]", message);

    [Fact]
    public void Duplicate_egress_hosts_warn()
    {
        var findings = Sc("egress:\n- hosts: [test/*, test/a.com]");
        findings.AssertNoErrors();
        findings.AssertWarning("spec.egress[0].hosts[1]", "duplicated egress host: test/a.com");
        Sc("egress:\n- hosts: ['*/*', test/a.com]")
            .AssertWarning("spec.egress[0].hosts", "`*/*` host select all resources, no other hosts can be added");
    }

    [Fact]
    public void Two_catch_all_egress_listeners_are_rejected()
    {
        Sc("egress:\n- hosts: ['*/foo.com']\n- hosts: [ns1/bar.com]")
            .AssertError("spec.egress[0]", "sidecar: the egress listener with empty port should be the last listener in the list");
    }

    [Fact]
    public void Duplicate_unix_socket_binds_are_rejected()
    {
        Sc("""
            egress:
            - port: {protocol: http, number: 0, name: uds}
              hosts: [ns1/bar.com]
              bind: unix:///@foo/bar/com
            - port: {protocol: http, number: 0, name: uds2}
              hosts: [ns1/bar.com]
              bind: unix:///@foo/bar/com
            """).AssertError("spec.egress[1].bind", "sidecar: unix domain socket values for listeners must be unique");
    }

    [Fact]
    public void Egress_port_zero_needs_a_unix_bind_and_ip_binds_must_be_ips()
    {
        var findings = Sc("""
            egress:
            - port: {protocol: http, number: 0, name: uds}
              hosts: [ns1/bar.com]
            - port: {protocol: http, number: 80, name: http}
              hosts: [ns1/bar.com]
              bind: not-an-ip
            """);
        findings.AssertError("spec.egress[0].bind", "sidecar: ports with 0 value must have a unix domain socket bind address");
        findings.AssertError("spec.egress[1].bind", "not-an-ip is not a valid IP");
    }

    [Fact]
    public void Target_port_has_no_impact_on_sidecars()
    {
        Sc("egress:\n- port: {protocol: http, number: 80, name: http, targetPort: 8080}\n  hosts: [ns1/bar.com]")
            .AssertError("spec.egress[0].port.targetPort", "targetPort has no impact on Sidecars");
    }

    [Fact]
    public void Duplicate_ingress_ports_are_rejected()
    {
        Sc("""
            ingress:
            - port: {protocol: http, number: 90, name: foo}
              defaultEndpoint: 127.0.0.1:9999
            - port: {protocol: tcp, number: 90, name: tcp}
              defaultEndpoint: 127.0.0.1:9999
            """).AssertError("spec.ingress[1].port.number", "sidecar: ports on IP bound listeners must be unique");
    }

    [Theory]
    [InlineData("127.0.0.1:9999", null)]
    [InlineData("0.0.0.0:9999", null)]
    [InlineData("'[::]:9999'", null)]
    [InlineData(":9999", null)]
    [InlineData("unix:///var/run/app.sock", null)]
    [InlineData("unix://@abstract", null)]
    [InlineData("1.1.1.1:90", "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset")]
    [InlineData("'[1:1:1:1:1:1:1:1]:90'", "sidecar: defaultEndpoint must be of form")]
    [InlineData("unix:///", "/ is not an absolute path to a file")]
    [InlineData("'[::1]:hi'", "sidecar: defaultEndpoint port (hi) is not a number: strconv.Atoi: parsing \"hi\": invalid syntax")]
    [InlineData("127.0.0.1", "address 127.0.0.1: missing port in address")]
    [InlineData("127.0.0.1:0", "port number 0 must be in the range 1..65535")]
    public void Default_endpoint_forms(string endpoint, string? error)
    {
        var findings = Sc(Ingress90 + $"\n  defaultEndpoint: {endpoint}");
        if (error is null)
        {
            findings.AssertNoErrors();
        }
        else
        {
            findings.AssertError("spec.ingress[0].defaultEndpoint", error);
        }
    }

    [Fact]
    public void Empty_ingress_protocol_is_allowed() =>
        Sc("ingress:\n- port: {number: 90, name: foo}\n  defaultEndpoint: '[::1]:9999'").AssertClean();

    [Fact]
    public void Ingress_bind_must_be_an_ip() =>
        Sc(Ingress90 + "\n  bind: unix:///@foo/bar/com").AssertError("spec.ingress[0].bind", "unix:///@foo/bar/com is not a valid IP");

    [Theory]
    [InlineData("{mode: AUTO_PASSTHROUGH}", "spec.ingress[0].tls.mode", "configuration is invalid: cannot set mode to AUTO_PASSTHROUGH in sidecar ingress tls")]
    [InlineData("{mode: SIMPLE, httpsRedirect: true, serverCertificate: c, privateKey: k}", "spec.ingress[0].tls.httpsRedirect", "sidecar: httpsRedirect is not supported")]
    [InlineData("{mode: SIMPLE, subjectAltNames: [httpbin.com], serverCertificate: c, privateKey: k}", "spec.ingress[0].tls.subjectAltNames", "sidecar: subjectAltNames is not supported in ingress tls")]
    [InlineData("{mode: SIMPLE, credentialName: secret}", "spec.ingress[0].tls.credentialName", "sidecar: credentialName is not currently supported")]
    [InlineData("{mode: SIMPLE, credentialNames: [secret]}", "spec.ingress[0].tls.credentialNames", "sidecar: credentialNames is not currently supported")]
    [InlineData("{mode: SIMPLE, tlsCertificates: [{serverCertificate: a, privateKey: b}]}", "spec.ingress[0].tls.tlsCertificates", "sidecar: tls_certificates is not currently supported")]
    [InlineData("{mode: SIMPLE}", "spec.ingress[0].tls.serverCertificate", "SIMPLE TLS requires a server certificate")]
    [InlineData("{mode: MUTUAL, serverCertificate: c, privateKey: k}", "spec.ingress[0].tls.caCertificates", "MUTUAL TLS requires a client CA bundle")]
    [InlineData("{mode: SIMPLE, serverCertificate: c, privateKey: k, caCrl: crl}", "spec.ingress[0].tls.caCrl", "CRL is not supported with SIMPLE TLS")]
    public void Ingress_tls_rules(string tls, string path, string message)
    {
        var findings = Sc($$"""
            ingress:
            - port: {protocol: HTTPS, number: 90, name: foo}
              defaultEndpoint: 127.0.0.1:9999
              tls: {{tls}}
            """);
        findings.AssertError(path, message);
    }

    [Fact]
    public void Ingress_tls_on_a_plain_port_is_rejected() =>
        Sc("""
            ingress:
            - port: {protocol: tcp, number: 90, name: foo}
              tls: {mode: SIMPLE, serverCertificate: c, privateKey: k}
            """).AssertError("spec.ingress[0].tls", "server cannot have TLS settings for non HTTPS/TLS ports");

    [Fact]
    public void Ingress_simple_tls_with_files_is_valid() =>
        Sc("""
            ingress:
            - port: {protocol: HTTPS, number: 443, name: https}
              defaultEndpoint: 127.0.0.1:8443
              tls: {mode: SIMPLE, serverCertificate: /etc/c.pem, privateKey: /etc/k.pem}
            """).AssertClean();

    [Fact]
    public void Ingress_tls_warnings()
    {
        var findings = Sc("""
            ingress:
            - port: {protocol: HTTPS, number: 443, name: https}
              tls:
                mode: SIMPLE
                serverCertificate: c
                privateKey: k
                minProtocolVersion: TLSV1_1
                cipherSuites: [NOT-A-CIPHER, AES128-SHA, AES128-SHA, '-ECDHE']
            """);
        findings.AssertNoErrors();
        findings.AssertWarning("spec.ingress[0].tls.cipherSuites", "ignoring invalid cipher suites: [NOT-A-CIPHER]");
        findings.AssertWarning("spec.ingress[0].tls.cipherSuites", "ignoring duplicate cipher suites: [AES128-SHA]");
    }

    [Fact]
    public void Connection_pools()
    {
        Sc("inboundConnectionPool:\n  http: {http1MaxPendingRequests: 1024, http2MaxRequests: 1024, maxRequestsPerConnection: 1024, maxRetries: 1024}")
            .AssertClean();
        Sc("inboundConnectionPool: {}").AssertError("spec.inboundConnectionPool", "connection pool must have at least one field");
        Sc(Ingress90 + "\n  connectionPool: {}").AssertError("spec.ingress[0].connectionPool", "connection pool must have at least one field");
        var findings = Sc("""
            inboundConnectionPool:
              http:
                http1MaxPendingRequests: -1
                maxRetries: -2
                idleTimeout: 500us
                h2UpgradePolicy: UPGRADE
                useClientProtocol: true
                http2KeepAlive: {interval: 10s}
              tcp:
                maxConnections: -1
                connectTimeout: 1.5ms
                idleTimeout: 0s
            """);
        findings.AssertError("spec.inboundConnectionPool.http.http1MaxPendingRequests", "http1 max pending requests must be non-negative");
        findings.AssertError("spec.inboundConnectionPool.http.maxRetries", "max retries must be non-negative");
        findings.AssertError("spec.inboundConnectionPool.http.idleTimeout", "duration must be greater than 1ms");
        findings.AssertError("spec.inboundConnectionPool.http.useClientProtocol", "use client protocol must not be true when H2UpgradePolicy is UPGRADE");
        findings.AssertError("spec.inboundConnectionPool.http.http2KeepAlive.timeout", "http2 keepalive timeout is required");
        findings.AssertError("spec.inboundConnectionPool.tcp.maxConnections", "max connections must be non-negative");
        findings.AssertError("spec.inboundConnectionPool.tcp.connectTimeout", "only durations to ms precision are supported");
        Assert.DoesNotContain(findings, f => f.Path == "spec.inboundConnectionPool.tcp.idleTimeout");
    }

    [Fact]
    public void Http_pool_settings_on_a_tcp_port_warn()
    {
        var findings = Sc("""
            ingress:
            - port: {protocol: tcp, number: 90, name: foo}
              connectionPool: {http: {maxRetries: 3}}
            """);
        findings.AssertNoErrors();
        findings.AssertWarning(
            "spec.ingress[0].connectionPool.http",
            "sidecar: HTTP connection pool settings are configured for port 90 (\"foo\") but its protocol is not HTTP (tcp); only TCP settings will apply");
    }

    [Fact]
    public void Egress_proxy_host_must_be_an_fqdn_and_subset_a_label()
    {
        var findings = Sc("""
            outboundTrafficPolicy:
              mode: ALLOW_ANY
              egressProxy: {host: 'foobar*123', subset: Bad_Subset, port: {number: 5000}}
            """);
        findings.AssertError("spec.outboundTrafficPolicy.egressProxy.host", "domain name \"foobar*123\" invalid");
        findings.AssertError("spec.outboundTrafficPolicy.egressProxy.subset", "subset name is invalid: Bad_Subset");
    }

    [Fact]
    public void Allow_any_dynamic_dns_is_for_mesh_config_only()
    {
        // Mode 3 is MeshConfig's ALLOW_ANY_DYNAMIC_DNS; the Sidecar CRD does not name it.
        Sc("outboundTrafficPolicy: {mode: 3}\negress:\n- hosts: ['*/*']")
            .AssertError("spec.outboundTrafficPolicy.mode", "sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only supported in MeshConfig, not in Sidecar resource");
    }

    [Fact]
    public void Selector_errors_stop_validation()
    {
        var findings = Sc("workloadSelector: {labels: {'a*': b}}");
        findings.AssertError("spec.workloadSelector.labels[a*]", "wildcard is not supported in selector: \"a*=b\"");
        Assert.Single(findings);
    }

    [Fact]
    public void Empty_configuration_is_rejected_without_other_findings()
    {
        var findings = Sc("workloadSelector: {}");
        findings.AssertError("spec", "sidecar: empty configuration provided");
        Assert.Single(findings);
    }

    [Fact]
    public void Dot_namespace_in_egress_hosts_is_the_sidecars_namespace()
    {
        // The Sidecar lives in namespace bar, so ./* already imports bar/a.com; ns2/a.com is another namespace.
        Sc("egress:\n- hosts: [./*, bar/a.com]").AssertWarning("spec.egress[0].hosts[1]", "duplicated egress host: bar/a.com");
        Assert.Empty(Sc("egress:\n- hosts: [./*, ns2/a.com]").Warnings());
    }
}
