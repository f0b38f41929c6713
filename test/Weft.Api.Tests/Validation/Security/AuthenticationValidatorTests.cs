using static Weft.Api.Tests.Validation.Security.SecurityValidation;

namespace Weft.Api.Tests.Validation.Security;

public sealed class AuthenticationValidatorTests
{
    private static string Peer(string spec) => $"""
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: p
          namespace: ns
        spec:
        {spec}
        """;

    private static string Request(string spec) => $"""
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: r
          namespace: ns
        spec:
        {spec}
        """;

    private static string Rule(string fields) => Request($"""
          jwtRules:
          - issuer: https://issuer.example.com
        {fields}
        """);

    private const string RsaN = "xAE7eB6qugXyCAG3yhh7pkDkT65pHymX-P7KfIupjf59vsdo91bSP9C8H07pSAGQO1MV_xFj9VswgsCg4R6otmg5PV2He95lZdHtOcU5DXIg_pbhLdKXbi66GlVeK6ABZOUW3WYtnNHD-91gVuoeJT_DwtGGcp4ignkgXfkiEm4sw-4sfb4qdt5oLbyVpmW6x9cfa7vs2WTfURiCrBoUqgBo_-4WTiULmmHSGZHOjzwa8WtrtOQGsAFjIbno85jp6MnGGGZPYZbDAa_b3y5u-YpW7ypZrvD8BgtKVjgtQgZhLAGezMt0ua3DRrWnKqTZ0BJ_EyxOGuHJrLsn00fnMQ";

    [Theory]
    [InlineData("'8080'", null)]
    [InlineData("'65535'", null)]
    [InlineData("'65536'", "port must be in range 1..65535")]
    [InlineData("'http'", "portLevelMtls keys must be port numbers")]
    public void Port_level_mtls_keys(string key, string? message)
    {
        var yaml = Peer($"""
              selector:
                matchLabels:
                  app: a
              portLevelMtls:
                {key}:
                  mode: STRICT
            """);
        if (message is null)
        {
            AssertClean(yaml);
        }
        else
        {
            AssertError(yaml, $"spec.portLevelMtls[{key.Trim('\'')}]", message);
        }
    }

    [Fact]
    public void Port_level_mtls_needs_selector_labels()
    {
        var yaml = Peer("""
              selector: {}
              portLevelMtls:
                '8080':
                  mode: DISABLE
            """);
        AssertError(yaml, "spec.portLevelMtls", "mesh/namespace peer authentication cannot have port level mTLS");
        AssertWarning(yaml, "spec.selector", "workload selector specified without labels");
    }

    [Fact]
    public void Peer_authentication_selector_rules()
    {
        AssertError(Peer("""
              selector:
                matchLabels:
                  app: '*'
            """), "spec.selector.matchLabels[app]", "wildcard is not supported in selector: \"app=*\"");
    }

    [Fact]
    public void Audiences_must_not_be_empty()
    {
        AssertError(Rule("    audiences: [a, '']"), "spec.jwtRules[0].audiences[1]", "audience must be non-empty string");
    }

    [Theory]
    [InlineData("https://example.com/jwks", null)]
    [InlineData("http://example.com:8080/jwks?x=1#frag", null)]
    [InlineData("https://[::1]:8443/jwks", null)]
    [InlineData("HTTPS://example.com", null)]
    [InlineData("https://example.com:99999999999999999999/", "strconv.Atoi: parsing \"99999999999999999999\": value out of range")]
    [InlineData("ftp://example.com", "URI scheme \"ftp\" is not supported")]
    [InlineData("example.com/jwks", "URI scheme \"\" is not supported")]
    [InlineData("https://[1.2.3.4]/", "parse \"https://[1.2.3.4]/\": invalid IP-literal")]
    [InlineData("https://[::1/", "parse \"https://[::1/\": missing ']' in host")]
    [InlineData("https://exa mple.com/", "parse \"https://exa mple.com/\": invalid character \" \" in host name")]
    [InlineData("https://example.com/%zz", "parse \"https://example.com/%zz\": invalid URL escape \"%zz\"")]
    [InlineData("https://localhost:80:80/", "parse \"https://localhost:80:80/\": invalid port \":80:80\" after host")]
    [InlineData("://x", "parse \"://x\": missing protocol scheme")]
    public void Jwks_uri(string uri, string? message)
    {
        var yaml = Rule($"    jwksUri: '{uri}'");
        if (message is null)
        {
            AssertClean(yaml);
        }
        else
        {
            AssertError(yaml, "spec.jwtRules[0].jwksUri", message);
        }
    }

    [Fact]
    public void The_protobuf_spelling_jwks_uri_is_read_too()
    {
        AssertError(Request("""
              jwtRules:
              - jwks_uri: example.com
            """), "spec.jwtRules[0].jwks_uri", "URI scheme \"\" is not supported");
    }

    [Fact]
    public void Inline_public_jwks_is_accepted()
    {
        AssertClean(Rule($$"""    jwks: '{"keys":[{"e":"AQAB","kid":"k1","kty":"RSA","n":"{{RsaN}}","use":"sig","alg":"RS256","key_ops":["verify"]}]}'"""));
    }

    [Fact]
    public void Inline_private_keys_are_accepted_with_a_warning_per_key()
    {
        var yaml = Rule($$"""    jwks: '{"keys":[{"kty":"RSA","e":"AQAB","n":"{{RsaN}}"},{"kty":"RSA","e":"AQAB","n":"{{RsaN}}","d":"AQAB"},{"kty":"oct","k":"c2VjcmV0"}]}'""");
        var context = Run(yaml);
        Assert.False(context.HasErrors, context.Describe());
        Assert.Equal(
            [
                "jwks key at index 1 contains private key material; only public keys are used for verification",
                "jwks key at index 2 contains private key material; only public keys are used for verification",
            ],
            context.Warnings().Select(w => w.Message));
    }

    [Theory]
    [InlineData("""{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}""", null)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}""", null)]
    [InlineData("""{"keys":null}""", null)]
    [InlineData("""{"keys":[]} trailing text is never read""", null)]
    [InlineData("""{"keys":{}}""", "failed to decode \"keys\"")]
    [InlineData("""[]""", "expected '{', but got '['")]
    [InlineData("""{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"}""", "required field y is missing")]
    [InlineData("""{"kty":"RSA","e":"AQAB"}""", "required field n is missing")]
    [InlineData("""{"kty":"RSA","e":"AQAB","n":"AQAB","d":1}""", "failed to decode value for key d")]
    [InlineData("""{"kty":"RSA","e":"AQAB","n":"abc!"}""", "expected base64 encoded []byte")]
    [InlineData("""{"kty":"RSA","e":"AQ==","n":"AQAB"}""", null)]
    [InlineData("""{"kty":"RSA","e":"AQ=","n":"AQAB"}""", "failed to decode value for key e")]
    [InlineData("""{"kty":"DSA"}""", "invalid key type from JSON (DSA)")]
    [InlineData("""{"kty":"RSA","e":"AQAB","n":"AQAB","kid":7}""", "failed to decode value for key kid")]
    [InlineData("""{"kty":"RSA","e":"AQAB","n":"AQAB","x5c":["AQAB"]}""", "failed to parse certificate")]
    [InlineData("""{"keys":[{"kty":"RSA","e":"AQAB","n":"AQAB"},{"kty":"oct"}]}""", "failed to decode key #1 in \"keys\"")]
    [InlineData("""{"keys":[1]}""", "key hint")]
    [InlineData("""{"kty":"RSA",}""", "invalid character '}' looking for beginning of object key string")]
    public void Inline_jwks(string jwks, string? message)
    {
        var yaml = Rule("    jwks: " + Weft.Api.GoCompat.GoStrconv.Quote(jwks));
        if (message is null)
        {
            AssertValid(yaml);
        }
        else
        {
            AssertError(yaml, "spec.jwtRules[0].jwks", message);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Certificate_chains_must_hold_der_certificates(bool urlSafe)
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=issuer", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var der = Convert.ToBase64String(certificate.RawData);
        if (urlSafe)
        {
            der = der.TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }

        var n = Convert.ToBase64String(rsa.ExportParameters(false).Modulus!).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        AssertClean(Rule($$"""    jwks: '{"keys":[{"kty":"RSA","e":"AQAB","n":"{{n}}","x5c":["{{der}}"]}]}'"""));

        var pem = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));
        AssertError(Rule($$"""    jwks: '{"keys":[{"kty":"RSA","e":"AQAB","n":"{{n}}","x5c":["{{pem}}"]}]}'"""),
            "spec.jwtRules[0].jwks", "failed to parse certificate");
    }

    [Fact]
    public void Deeply_nested_jwks_is_an_error_not_a_crash()
    {
        var deep = "{\"keys\":" + new string('[', 200_000) + new string(']', 200_000) + "}";
        var result = Weft.Api.Validation.Security.Jwks.Parse(deep);
        Assert.Equal("failed to unmarshal JWK set: exceeded max depth", result.Error);
        Assert.Null(Weft.Api.Validation.Security.Jwks.Parse("{\"keys\":[]," + "\"x\":" + new string('[', 500) + new string(']', 500) + "}").Error);
    }

    [Fact]
    public void Header_and_claim_outputs()
    {
        var yaml = Rule("""
                outputClaimToHeaders:
                - header: ''
                  claim: sub
                - header: x-sub
                  claim: sub
                - header: x_sub.v1
                  claim: sub
            """);
        AssertError(yaml, "spec.jwtRules[0].outputClaimToHeaders[0]", "outputClaimToHeaders header and claim value must be non-empty string");
        AssertError(yaml, "spec.jwtRules[0].outputClaimToHeaders[2].header", "header name x_sub.v1 is not a valid header name");
        Assert.Equal(2, Run(yaml).Errors().Count());
    }

    [Theory]
    [InlineData("5s", null)]
    [InlineData("1ms", null)]
    [InlineData("500us", "duration must be greater than 1ms")]
    [InlineData("1500us", "only durations to ms precision are supported")]
    [InlineData("soon", "invalid duration \"soon\"")]
    public void Jwks_fetch_timeout(string timeout, string? message)
    {
        var yaml = Rule($"    jwksUri: https://example.com/jwks\n    timeout: {timeout}");
        if (message is null)
        {
            AssertClean(yaml);
        }
        else
        {
            AssertError(yaml, "spec.jwtRules[0].timeout", message);
        }
    }

    [Fact]
    public void Request_authentication_target_refs()
    {
        var yaml = Request("""
              targetRefs:
              - group: gateway.networking.k8s.io
                kind: GatewayClass
                name: istio
              - group: gateway.networking.k8s.io
                kind: Gateway
                name: gw
                namespace: other
            """);
        AssertError(yaml, "spec.targetRefs[1].namespace", "targetRef namespace must not be set");
        Assert.Single(Run(yaml).Errors());
    }
}
