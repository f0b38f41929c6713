using static Weft.Api.Tests.Validation.Traffic.TrafficValidation;

namespace Weft.Api.Tests.Validation.Traffic;

/// <summary>Gateway rules beyond the corpus cases.</summary>
public sealed class GatewayRulesTests
{
    private static string Indent(string text, int spaces)
    {
        var pad = new string(' ', spaces);
        return string.Join('\n', text.Split('\n').Select(l => l.Length == 0 ? l : pad + l));
    }

    // One server with the given fields (indented as a server's fields).
    private static Outcome Server(string serverFields) => Gateway($"""
          servers:
          -
        {Indent(serverFields, 4)}
        """);

    // An HTTPS server on 443 for foo.bar.com with the given tls fields.
    private static Outcome Https(string tlsFields) =>
        Server("hosts: [foo.bar.com]\nport: {number: 443, name: https, protocol: HTTPS}\ntls:\n" + Indent(tlsFields, 2));

    public static TheoryData<string, string, string> ServerErrors => new()
    {
        { "port: {number: 80, name: http, protocol: HTTP}", "spec.servers[0].hosts", "server config must contain at least one host" },
        { "hosts: [foo.bar.com]", "spec.servers[0].port", "port is required" },
        { "hosts: [foo.bar.com]\nport: {number: 80, protocol: HTTP}", "spec.servers[0].port.name", "port name must be set: number:80 protocol:\"HTTP\"" },
        { "hosts: [foo.bar.com]\nport: {number: 80, name: http, protocol: HTTP, targetPort: 8080}", "spec.servers[0].port.targetPort", "targetPort has no impact on Gateways" },
        { "hosts: [foo.bar.com]\nport: {number: 80, name: http}", "spec.servers[0].port.protocol", "invalid protocol \"\", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP" },
        { "hosts: [foo.bar.com]\nport: {number: 0, name: http, protocol: HTTP}\nbind: \"unix://\"", "spec.servers[0].bind", "unix address must not be empty" },
        { "hosts: [foo.bar.com]\nport: {number: 0, name: http, protocol: HTTP}\nbind: unix://relative/sock", "spec.servers[0].bind", "relative/sock is not an absolute path to a file" },
        { "hosts: [foo.bar.com]\nport: {number: 0, name: http, protocol: HTTP}\nbind: unix:///var/run/", "spec.servers[0].bind", "/var/run/ is not an absolute path to a file" },
        { "hosts: [foo.bar.com]\nport: {number: 80, name: http, protocol: HTTP}\nbind: 10.0.0.256", "spec.servers[0].bind", "10.0.0.256 is not a valid IP" },
        { "hosts: [\"/foo.bar.com\"]\nport: {number: 80, name: http, protocol: HTTP}", "spec.servers[0].hosts[0]", "config namespace and dnsName in host entry cannot be empty" },
        { "hosts: [\"ns/foo\"]\nport: {number: 80, name: http, protocol: HTTP}", "spec.servers[0].hosts[0]", "short names (non FQDN) are not allowed" },
        { "hosts: [\"n_s/foo.com\"]\nport: {number: 80, name: http, protocol: HTTP}", "spec.servers[0].hosts[0]", "invalid namespace value \"n_s\" in gateway" },
        { "hosts: [\"ns/foo*.com\"]\nport: {number: 80, name: http, protocol: HTTP}", "spec.servers[0].hosts[0]", "partial wildcard \"foo*.com\" not allowed" },
        { "hosts: [foo.bar.com]\nport: {number: 9000, name: tcp, protocol: TCP}\ntls: {mode: SIMPLE, credentialName: c}", "spec.servers[0].tls", "server cannot have TLS settings for non HTTPS/TLS ports" },
        { "hosts: [foo.bar.com]\nport: {number: 80, name: http, protocol: HTTP}\ntls: {httpsRedirect: true, serverCertificate: /c}", "spec.servers[0].tls", "server cannot have TLS settings for plain text HTTP ports" },
        { "hosts: [foo.bar.com]\nport: {number: 443, name: tls, protocol: TLS}", "spec.servers[0].tls", "server must have TLS settings for HTTPS/TLS protocols" },
    };

    [Theory]
    [MemberData(nameof(ServerErrors))]
    public void Server_errors(string serverFields, string path, string message) => AssertError(Server(serverFields), path, message);

    public static TheoryData<string> ValidServers => new()
    {
        "hosts: [\"*\", \"*/foo.com\", \"./bar.com\", \"ns/*\", \"ns/*.baz.com\", 10.0.0.1]\nport: {number: 80, name: http, protocol: HTTP}",
        "hosts: [foo.bar.com]\nport: {number: 0, name: http, protocol: HTTP}\nbind: unix://@abstract",
        "hosts: [foo.bar.com]\nport: {number: 80, name: http, protocol: http2}\nbind: 0.0.0.0",
        "hosts: [foo.bar.com]\nport: {number: 80, name: http, protocol: HTTP}\ntls: {httpsRedirect: true}",
        "hosts: [foo.bar.com]\nport: {number: 443, name: tls, protocol: TLS}\ntls: {mode: PASSTHROUGH}",
        "hosts: [foo.bar.com]\nport: {number: 443, name: tls, protocol: TLS}\ntls: {mode: AUTO_PASSTHROUGH}",
        "hosts: [foo.bar.com]\nport: {number: 443, name: tls, protocol: TLS}\ntls: {mode: ISTIO_MUTUAL}",
        "hosts: [foo.bar.com]\nport: {number: 27017, name: mongo, protocol: MONGO}",
    };

    [Theory]
    [MemberData(nameof(ValidServers))]
    public void Valid_servers(string serverFields) => AssertClean(Server(serverFields));

    public static TheoryData<string, string, string> TlsErrors => new()
    {
        { "mode: ISTIO_MUTUAL\nserverCertificate: /c", "spec.servers[0].tls.serverCertificate", "ISTIO_MUTUAL TLS cannot have associated server certificate" },
        { "mode: ISTIO_MUTUAL\ncredentialNames: [a]", "spec.servers[0].tls.credentialNames", "ISTIO_MUTUAL TLS cannot have associated credentialNames" },
        { "mode: ISTIO_MUTUAL\ntlsCertificates: [{serverCertificate: /c, privateKey: /k}]", "spec.servers[0].tls.tlsCertificates", "ISTIO_MUTUAL TLS cannot have associated tlsCertificates" },
        { "mode: SIMPLE\nserverCertificate: /c", "spec.servers[0].tls.privateKey", "SIMPLE TLS requires a private key" },
        { "mode: MUTUAL\nserverCertificate: /c\nprivateKey: /k", "spec.servers[0].tls.caCertificates", "MUTUAL TLS requires a client CA bundle" },
        { "mode: OPTIONAL_MUTUAL\nserverCertificate: /c\nprivateKey: /k", "spec.servers[0].tls.caCertificates", "MUTUAL TLS requires a client CA bundle" },
        { "mode: SIMPLE\ntlsCertificates: [{privateKey: /k}, {serverCertificate: /c2, privateKey: /k2}]", "spec.servers[0].tls.tlsCertificates[0].serverCertificate", "SIMPLE TLS requires a server certificate" },
        { "mode: SIMPLE\ncredentialName: a\ncredentialNames: [b]", "spec.servers[0].tls", "only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified" },
        { "mode: AUTO_PASSTHROUGH\ncredentialName: a\ncaCrl: /crl", "spec.servers[0].tls.caCrl", "CRL is not supported with credentialName. CRL has to be specified in the credential" },
        { "mode: SIMPLE\nserverCertificate: /c\nprivateKey: /k\ncaCrl: /crl", "spec.servers[0].tls.caCrl", "CRL is not supported with SIMPLE TLS" },
    };

    [Theory]
    [MemberData(nameof(TlsErrors))]
    public void Tls_errors(string tlsFields, string path, string message) => AssertError(Https(tlsFields), path, message);

    public static TheoryData<string, string, string> TlsWarnings => new()
    {
        { "mode: PASSTHROUGH\nserverCertificate: /c", "spec.servers[0].tls.mode", "PASSTHROUGH mode does not use certificates, they will be ignored" },
        { "mode: SIMPLE\ncredentialName: c\nminProtocolVersion: TLSV1_1", "spec.servers[0].tls.minProtocolVersion", "TLS version below TLSV1_2 require setting compatible ciphers" },
        { "mode: SIMPLE\ncredentialName: c\ncipherSuites: [ECDHE-RSA-AES128-GCM-SHA256, NOT-A-CIPHER, ECDHE-RSA-AES128-GCM-SHA256, AAA-CIPHER]", "spec.servers[0].tls.cipherSuites", "ignoring invalid cipher suites: [AAA-CIPHER NOT-A-CIPHER]" },
        { "mode: SIMPLE\ncredentialName: c\ncipherSuites: [ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-GCM-SHA256]", "spec.servers[0].tls.cipherSuites", "ignoring duplicate cipher suites: [ECDHE-RSA-AES128-GCM-SHA256]" },
        { "mode: SIMPLE\ntlsCertificates: [{serverCertificate: /a, privateKey: /a}, {serverCertificate: /b, privateKey: /b}, {serverCertificate: /c, privateKey: /c}]", "spec.servers[0].tls.tlsCertificates", "SIMPLE TLS can support up to 2 server certificates" },
    };

    [Theory]
    [MemberData(nameof(TlsWarnings))]
    public void Tls_warnings(string tlsFields, string path, string message)
    {
        var outcome = Https(tlsFields);
        Assert.True(outcome.Valid, outcome.ToString());
        AssertWarning(outcome, path, message);
    }

    [Theory]
    [InlineData("mode: SIMPLE\ncredentialName: c\ncipherSuites: [\"-ECDHE-RSA-AES128-SHA\", \"+AES256-SHA\", ALL, \"\"]")]
    [InlineData("mode: MUTUAL\ncredentialName: c")]
    [InlineData("mode: MUTUAL\ncredentialNames: [rsa, ecdsa]")]
    [InlineData("mode: OPTIONAL_MUTUAL\nserverCertificate: /c\nprivateKey: /k\ncaCertificates: /ca\ncaCrl: /crl")]
    public void Valid_tls(string tlsFields) => AssertClean(Https(tlsFields));

    [Fact]
    public void Gateway_name_and_port_names()
    {
        var outcome = Run("""
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata:
              name: my.gateway
            spec:
              servers:
              - hosts: [a.com]
                port: {number: 80, protocol: HTTP}
              - hosts: [b.com]
                port: {number: 81, protocol: HTTP}
            """);
        AssertError(outcome, "metadata.name", "invalid gateway name: \"my.gateway\"");
        AssertError(outcome, "spec.servers[1].port.name", "port names in servers must be unique: duplicate name ");
    }

    [Fact]
    public void Gateway_api_semantics_allow_the_no_route_namespace()
    {
        AssertClean(Run("""
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata:
              name: my.gateway
              annotations:
                internal.istio.io/gateway-semantics: gateway
            spec:
              servers:
              - hosts: ["~/a.com"]
                port: {number: 80, name: http, protocol: HTTP}
            """));
    }

    [Fact]
    public void Https_redirect_on_a_tls_server_warns()
    {
        var outcome = Server("hosts: [foo.bar.com]\nport: {number: 443, name: tls, protocol: TLS}\ntls: {httpsRedirect: true, mode: PASSTHROUGH}");
        Assert.True(outcome.Valid, outcome.ToString());
        AssertWarning(outcome, "spec.servers[0].tls.httpsRedirect", "tls.httpsRedirect should only be used with http servers");
    }

    [Fact]
    public void Selector_is_not_checked_as_istio_does_not()
    {
        AssertClean(Gateway("""
              selector:
                istio: "*"
              servers:
              - hosts: [foo.bar.com]
                port: {number: 80, name: http, protocol: HTTP}
            """));
    }
}
