using Weft.Control.Model;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Control.Tests.Config;

/// <summary>Istio's mesh config as <c>weft control --mesh-config</c> reads it.</summary>
public sealed class MeshConfigReaderTests
{
    [Fact]
    public void Reads_the_fields_weft_uses_over_istios_defaults()
    {
        var mesh = MeshConfigReader.Read("""
            rootNamespace: mesh-root
            trustDomain: example.org
            trustDomainAliases: [old.example.org]
            outboundTrafficPolicy: {mode: REGISTRY_ONLY}
            connectTimeout: 2.5s
            defaultConfig: {concurrency: 2}
            extensionProviders:
            - name: opa
              envoyExtAuthzGrpc: {service: opa.policy.svc.cluster.local, port: 9191, timeout: 0.5s, failOpen: true, statusOnError: "503"}
            - name: zipkin
              zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}
            """, "mesh.yaml");

        Assert.Equal("mesh-root", mesh.RootNamespace);
        Assert.Equal("example.org", mesh.TrustDomain);
        Assert.Equal(["old.example.org"], mesh.TrustDomainAliases);
        Assert.False(mesh.AllowAny);
        Assert.Equal(TimeSpan.FromSeconds(2.5), mesh.ConnectTimeout);
        Assert.True(mesh.EnableAutoMtls);
        var opa = mesh.ExtensionProviders[0].EnvoyExtAuthzGrpc!;
        Assert.Equal(("opa.policy.svc.cluster.local", 9191u, 500L, true, "503"), (opa.Service, opa.Port, (long)opa.Timeout!.ToTimeSpan().TotalMilliseconds, opa.FailOpen, opa.StatusOnError));
        Assert.Equal(("zipkin", "zipkin"), (mesh.ExtensionProviders[1].Name, mesh.ExtensionProviders[1].Kind));
        Assert.Null(mesh.ExtensionProviders[1].EnvoyExtAuthzGrpc);
    }

    [Fact]
    public void Reads_the_access_log_settings_and_refuses_a_JSON_format_that_is_not_a_JSON_object()
    {
        var mesh = MeshConfigReader.Read("""
            accessLogFile: /dev/stdout
            accessLogEncoding: JSON
            accessLogFormat: '{"code": "%RESPONSE_CODE%"}'
            """, "mesh.yaml");
        Assert.Equal(("/dev/stdout", true, "{\"code\": \"%RESPONSE_CODE%\"}"), (mesh.AccessLogFile, mesh.AccessLogJson, mesh.AccessLogFormat));
        Assert.Equal(string.Empty, MeshConfig.Default.AccessLogFile);

        var notJson = Assert.Throws<FormatException>(() => MeshConfigReader.Read("accessLogFile: /dev/stdout\naccessLogEncoding: JSON\naccessLogFormat: '%RESPONSE_CODE%'\n", "mesh.yaml"));
        Assert.StartsWith("mesh.yaml:3:", notJson.Message, StringComparison.Ordinal);
        Assert.Contains("accessLogFormat", notJson.Message, StringComparison.Ordinal);
        var encoding = Assert.Throws<FormatException>(() => MeshConfigReader.Read("accessLogEncoding: XML\n", "mesh.yaml"));
        Assert.Contains("accessLogEncoding: expected TEXT or JSON, found \"XML\"", encoding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_the_mesh_out_of_the_istio_config_map()
    {
        var mesh = MeshConfigReader.Read("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: istio, namespace: istio-system}
            data:
              mesh: |-
                trustDomain: corp.local
            """, "istio.yaml");
        Assert.Equal("corp.local", mesh.TrustDomain);
    }

    [Fact]
    public void Reads_mesh_mtls_and_the_trust_domains_of_extra_ca_certificates()
    {
        var mesh = MeshConfigReader.Read("""
            meshMTLS: {minProtocolVersion: TLSV1_3, cipherSuites: [ECDHE-ECDSA-AES256-GCM-SHA384]}
            caCertificates:
            - {pem: "-----BEGIN CERTIFICATE-----", trustDomains: [a.example, b.example]}
            - {certSigners: [clusterissuers.cert-manager.io/istio-ca]}
            """, "mesh.yaml");

        Assert.True(mesh.MeshMtlsRequiresTls13);
        Assert.Equal(["ECDHE-ECDSA-AES256-GCM-SHA384"], mesh.MeshMtlsCipherSuites);
        Assert.Equal(["a.example", "b.example"], mesh.CaCertificateTrustDomains);
        Assert.False(MeshConfig.Default.MeshMtlsRequiresTls13);
        Assert.Null(MeshConfig.Default.MeshMtlsCipherSuites);
    }

    [Fact]
    public void Reads_default_config_proxy_headers_and_accepts_other_proxy_config_fields()
    {
        var mesh = MeshConfigReader.Read("""
            defaultConfig:
              concurrency: 2
              holdApplicationUntilProxyStarts: true
              proxyHeaders:
                forwardedClientCert: SANITIZE_SET
                setCurrentClientCertDetails: {subject: false, cert: true}
                requestId: {disabled: true}
                server: {value: mesh-proxy}
                attemptCount: {disabled: true}
                envoyDebugHeaders: {disabled: true}
                metadataExchangeHeaders: {mode: IN_MESH}
                xForwardedHost: {enabled: true}
            """, "mesh.yaml");

        var headers = mesh.ProxyHeaders;
        Assert.Equal(HttpConnectionManager.Types.ForwardClientCertDetails.SanitizeSet, headers.ForwardedClientCert);
        Assert.Equal(new ClientCertDetails(Subject: false, Cert: true), headers.SetCurrentClientCertDetails);
        Assert.Equal((true, false, "mesh-proxy", true, true, true),
            (headers.RequestIdDisabled, headers.ServerDisabled, headers.ServerValue, headers.AttemptCountDisabled, headers.EnvoyDebugHeadersDisabled, headers.MetadataExchangeInMeshOnly));

        Assert.Same(ProxyHeaders.Default, MeshConfig.Default.ProxyHeaders);
        Assert.Equal(ProxyHeaders.Default, MeshConfigReader.Read("defaultConfig: {concurrency: 2}", "mesh.yaml").ProxyHeaders);
        var undefined = MeshConfigReader.Read("""
            defaultConfig:
              proxyHeaders: {forwardedClientCert: UNDEFINED, server: {disabled: true, value: ignored}, requestId: {disabled: false}, metadataExchangeHeaders: {mode: UNDEFINED}}
            """, "mesh.yaml").ProxyHeaders;
        Assert.Equal(ProxyHeaders.Default with { ServerDisabled = true, ServerValue = "ignored" }, undefined);
    }

    [Theory]
    [InlineData("meshMTLS: {minProtocolVersion: TLSV1_1}", "mesh.yaml:1: meshMTLS.minProtocolVersion: expected one of TLS_AUTO, TLSV1_2, TLSV1_3, found \"TLSV1_1\"")]
    [InlineData("caCertificates: [{trustDomains: x.example}]", "caCertificates[0].trustDomains: expected a list, found string")]
    [InlineData("trustDomainAliases: old.td", "mesh.yaml:1: trustDomainAliases: expected a list, found string")]
    [InlineData("connectTimeout: 10 seconds", "mesh.yaml:1: connectTimeout: expected a duration such as 10s or 0.5s, found string")]
    [InlineData("extensionProviders: [{name: a, envoyExtAuthzHttp: {port: many}}]", "extensionProviders[0].envoyExtAuthzHttp.port: expected an integer, found string")]
    [InlineData("defaultConfig:\n  proxyHeaders:\n    forwardedClientCert: NEVER",
        "mesh.yaml:3: defaultConfig.proxyHeaders.forwardedClientCert: expected one of UNDEFINED, SANITIZE, FORWARD_ONLY, APPEND_FORWARD, SANITIZE_SET, ALWAYS_FORWARD_ONLY, found \"NEVER\"")]
    [InlineData("defaultConfig:\n  proxyHeaders:\n    server: {disabled: sometimes}", "mesh.yaml:3: defaultConfig.proxyHeaders.server.disabled: expected true or false, found string")]
    [InlineData("defaultConfig: {proxyHeaders: {requestId: true}}", "mesh.yaml:1: defaultConfig.proxyHeaders.requestId: expected an object, found boolean")]
    [InlineData("defaultConfig: {proxyHeaders: {setCurrentClientCertDetails: {cert: \"yes\"}}}", "defaultConfig.proxyHeaders.setCurrentClientCertDetails.cert: expected true or false, found string")]
    [InlineData("defaultConfig: {proxyHeaders: {metadataExchangeHeaders: {mode: ALWAYS}}}", "defaultConfig.proxyHeaders.metadataExchangeHeaders.mode: expected UNDEFINED or IN_MESH, found \"ALWAYS\"")]
    [InlineData("defaultConfig: {proxyHeaders: [server]}", "mesh.yaml:1: defaultConfig.proxyHeaders: expected an object, found array")]
    public void A_value_of_the_wrong_type_is_one_sentence_with_file_line_and_field(string yaml, string message)
    {
        var error = Assert.Throws<FormatException>(() => MeshConfigReader.Read(yaml, "mesh.yaml"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
