using static Weft.Api.Tests.Validation.Security.SecurityValidation;

namespace Weft.Api.Tests.Validation.Security;

/// <summary>Istio's TestValidateWasmPlugin and TestValidateTrafficExtension tables, as YAML, plus the rules they leave out.</summary>
public sealed class ExtensionsValidatorTests
{
    private const string Sha = "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b";

    private static string Plugin(string spec) => $"""
        apiVersion: extensions.istio.io/v1alpha1
        kind: WasmPlugin
        metadata:
          name: w
          namespace: ns
        spec:
        {spec}
        """;

    private static string Extension(string spec) => $"""
        apiVersion: extensions.istio.io/v1alpha1
        kind: TrafficExtension
        metadata:
          name: x
          namespace: ns
        spec:
        {spec}
        """;

    public static TheoryData<string, string, string?> WasmPluginTable() => new()
    {
        { "empty", "  {}", "url field needs to be set" },
        { "wrong scheme", "  url: ftp://test.com/test", "unsupported scheme" },
        { "valid http", "  url: http://test.com/test", null },
        { "valid http w/ sha", $"  url: http://test.com/test\n  sha256: {Sha}", null },
        { "short sha", "  url: http://test.com/test\n  sha256: 01ba47", "sha256 field must be 64 characters long" },
        { "invalid sha", "  url: http://test.com/test\n  sha256: test", "sha256 field must be 64 characters long" },
        { "invalid sha characters", "  url: http://test.com/test\n  sha256: 01B" + Sha[3..], "sha256 field must match [a-f0-9]{64} pattern" },
        { "valid oci", "  url: oci://test.com/test", null },
        { "valid oci no scheme", "  url: test.com/test", null },
        {
            "invalid vm config - invalid env name", """
              url: test.com/test
              vmConfig:
                env:
                - name: ''
                  valueFrom: HOST
            """, "spec.vmConfig.env invalid"
        },
        {
            "invalid vm config - duplicate env", """
              url: test.com/test
              vmConfig:
                env:
                - name: ENV1
                  value: VAL1
                - name: ENV1
                  value: VAL1
            """, "duplicate env"
        },
        {
            "target-ref-good", """
              url: http://test.com/test
              targetRef:
                group: gateway.networking.k8s.io
                kind: Gateway
                name: foo
            """, null
        },
        {
            "target-ref-good-service", """
              url: http://test.com/test
              targetRef:
                group: ''
                kind: Service
                name: foo
            """, null
        },
        {
            "target-ref-non-empty-namespace", """
              url: http://test.com/test
              targetRef:
                group: gateway.networking.k8s.io
                kind: Gateway
                name: foo
                namespace: bar
            """, "targetRef namespace must not be set"
        },
        {
            "target-ref-empty-name", """
              url: http://test.com/test
              targetRef:
                group: gateway.networking.k8s.io
                kind: Gateway
            """, "targetRef name must be set"
        },
        {
            "target-ref-wrong-group", """
              url: http://test.com/test
              targetRef:
                group: wrong-group
                kind: Gateway
                name: foo
            """, "but was wrong-group/Gateway"
        },
        {
            "target-ref-wrong-kind", """
              url: http://test.com/test
              targetRef:
                group: gateway.networking.k8s.io
                kind: wrong-kind
                name: foo
            """, "but was gateway.networking.k8s.io/wrong-kind"
        },
        {
            "target-ref-and-selector-cannot-both-be-set", """
              url: http://test.com/test
              targetRef:
                group: gateway.networking.k8s.io
                kind: Gateway
                name: foo
              selector:
                matchLabels:
                  app: httpbin
            """, "only one of targetRefs or workloadSelector can be set"
        },
    };

    [Theory]
    [MemberData(nameof(WasmPluginTable))]
    public void Istio_wasm_plugin_table(string name, string spec, string? error)
    {
        var context = Run(Plugin(spec));
        if (error is null)
        {
            Assert.True(context.Findings.Count == 0, $"{name}: {context.Describe()}");
        }
        else
        {
            Assert.True(context.Errors().Any(e => e.Message.Contains(error, StringComparison.Ordinal)), $"{name}: {context.Describe()}");
        }
    }

    [Theory]
    [InlineData("file:///opt/filters/plugin.wasm", null)]
    [InlineData("https://example.com:8443/plugin.wasm?v=1", null)]
    [InlineData("oci://ghcr.io/org/plugin:1.0", null)]
    [InlineData("ghcr.io/org/plugin:1.0", null)]
    [InlineData("/opt/filters/plugin.wasm", null)]
    [InlineData("s3://bucket/plugin.wasm", "url contains unsupported scheme: s3")]
    [InlineData("http://example.com/%zz", "failed to parse url: parse \"http://example.com/%zz\": invalid URL escape \"%zz\"")]
    [InlineData("http://example.com/x?y#%zz", "failed to strict parse url: parse \"http://example.com/x?y#%zz\": invalid URL escape \"%zz\"")]

    // After its first parse fails Go retries with "http://" in front, reads "http:" as the host and the rest as a
    // path, and accepts these; so does Weft.
    [InlineData("http://exa mple.com/x", null)]
    [InlineData("http://[::1/x", null)]
    public void Module_urls(string url, string? message)
    {
        var yaml = Plugin($"  url: '{url}'");
        if (message is null)
        {
            AssertClean(yaml);
        }
        else
        {
            AssertError(yaml, "spec.url", message);
        }
    }

    [Fact]
    public void Env_value_only_with_inline()
    {
        AssertError(Plugin("""
              url: oci://x/y
              vmConfig:
                env:
                - name: A
                  value: a
                  valueFrom: INLINE
                - name: POD_NAME
                  valueFrom: HOST
                  value: b
            """), "spec.vmConfig.env[1].value", "value may only be set when valueFrom is INLINE");
    }

    [Fact]
    public void Only_the_first_env_problem_is_reported()
    {
        var context = Run(Plugin("""
              url: oci://x/y
              vmConfig:
                env:
                - name: A
                - name: A
                - name: ''
            """));
        Assert.Equal([("spec.vmConfig.env[1].name", "duplicate env")], context.Errors());
    }

    [Fact]
    public void Names_and_secrets_have_length_limits()
    {
        var yaml = Plugin($"""
              url: oci://x/y
              pluginName: {new string('p', 257)}
              imagePullSecret: {new string('s', 254)}
              vmConfig:
                env:
                - name: {new string('e', 257)}
            """);
        AssertError(yaml, "spec.pluginName", "pluginName field must be less than 255 characters long");
        AssertError(yaml, "spec.imagePullSecret", "imagePullSecret field must be less than 253 characters long");
        AssertError(yaml, "spec.vmConfig.env[0].name", "env.name field must be less than 255 characters long");
        AssertClean(Plugin($"  url: oci://x/y\n  pluginName: {new string('p', 256)}\n  imagePullSecret: {new string('s', 253)}"));
    }

    [Theory]
    [InlineData("1", null)]
    [InlineData("65535", null)]
    [InlineData("0", "spec.Match[1].Ports[0] is out of range: 0")]
    [InlineData("65536", "spec.Match[1].Ports[0] is out of range: 65536")]
    public void Match_ports(string port, string? message)
    {
        var yaml = Plugin($"""
              url: oci://x/y
              match:
              - mode: CLIENT
              - mode: SERVER
                ports:
                - number: {port}
            """);
        if (message is null)
        {
            AssertClean(yaml);
        }
        else
        {
            AssertError(yaml, "spec.match[1].ports[0].number", message);
        }
    }

    [Fact]
    public void Wasm_plugin_selector_and_target_refs()
    {
        var yaml = Plugin("""
              url: oci://x/y
              selector:
                matchLabels:
                  app: a
              targetRefs:
              - kind: Service
                name: s
            """);
        AssertError(yaml, "spec.selector", "only one of targetRefs or workloadSelector can be set");
        AssertWarning(Plugin("  url: oci://x/y\n  selector: {}"), "spec.selector", "workload selector specified without labels");
    }

    public static TheoryData<string, string, string?> TrafficExtensionTable() => new()
    {
        { "neither wasm nor lua set", "  {}", "exactly one of wasm or lua must be set" },
        { "valid lua config", "  lua:\n    inlineCode: \"function envoy_on_request(request_handle)\\n  request_handle:headers():add('x-foo', 'bar')\\nend\"", null },
        { "lua code empty", "  lua:\n    inlineCode: ''", "lua.inlineCode cannot be empty" },
        { "lua code too large", "  lua:\n    inlineCode: " + new string('x', 65537), "lua.inlineCode exceeds maximum size of 64KB" },
        { "valid wasm config", "  wasm:\n    url: http://test.com/test", null },
        { "wasm url empty", "  wasm:\n    url: ''", "url field needs to be set" },
        { "wasm wrong scheme", "  wasm:\n    url: ftp://test.com/test", "unsupported scheme" },
        { "wasm valid http w/ sha", $"  wasm:\n    url: http://test.com/test\n    sha256: {Sha}", null },
        { "wasm short sha", "  wasm:\n    url: http://test.com/test\n    sha256: 01ba47", "sha256 field must be 64 characters long" },
        { "wasm invalid sha characters", "  wasm:\n    url: http://test.com/test\n    sha256: 01B" + Sha[3..], "sha256 field must match [a-f0-9]{64} pattern" },
        { "wasm valid oci no scheme", "  wasm:\n    url: test.com/test", null },
        { "wasm invalid vm config - invalid env name", "  wasm:\n    url: test.com/test\n    vmConfig:\n      env:\n      - name: ''\n        valueFrom: HOST", "spec.vmConfig.env invalid" },
        { "wasm invalid vm config - duplicate env", "  wasm:\n    url: test.com/test\n    vmConfig:\n      env:\n      - {name: ENV1, value: VAL1}\n      - {name: ENV1, value: VAL1}", "duplicate env" },
        { "both wasm and lua", "  wasm:\n    url: test.com/test\n  lua:\n    inlineCode: x", "exactly one of wasm or lua must be set" },
        { "valid lua with selector", "  selector:\n    matchLabels: {app: test}\n  lua:\n    inlineCode: x", null },
        { "valid lua with targetRefs", "  targetRefs:\n  - {group: gateway.networking.k8s.io, kind: Gateway, name: gateway}\n  lua:\n    inlineCode: x", null },
        { "both selector and targetRefs", "  selector:\n    matchLabels: {app: test}\n  targetRefs:\n  - {group: gateway.networking.k8s.io, kind: Gateway, name: gateway}\n  lua:\n    inlineCode: x", "only one of targetRefs or workloadSelector can be set" },
        { "invalid match - port out of range (too low)", "  match:\n  - ports:\n    - number: 0\n  lua:\n    inlineCode: x", "spec.Match[0].Ports[0] is out of range: 0" },
        { "invalid match - port out of range (too high)", "  match:\n  - ports:\n    - number: 65536\n  lua:\n    inlineCode: x", "spec.Match[0].Ports[0] is out of range: 65536" },
        { "valid match with port", "  match:\n  - mode: CLIENT\n    ports:\n    - number: 8080\n  lua:\n    inlineCode: x", null },
        { "wasm plugin name too long", $"  wasm:\n    url: test.com/test\n    pluginName: {new string('n', 257)}", "pluginName field must be less than 256 characters long" },
    };

    [Theory]
    [MemberData(nameof(TrafficExtensionTable))]
    public void Istio_traffic_extension_table(string name, string spec, string? error)
    {
        var context = Run(Extension(spec));
        if (error is null)
        {
            Assert.True(context.Findings.Count == 0, $"{name}: {context.Describe()}");
        }
        else
        {
            Assert.True(context.Errors().Any(e => e.Message.Contains(error, StringComparison.Ordinal)), $"{name}: {context.Describe()}");
        }
    }
}
