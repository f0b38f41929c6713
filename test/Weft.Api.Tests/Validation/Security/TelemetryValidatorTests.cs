using static Weft.Api.Tests.Validation.Security.SecurityValidation;

namespace Weft.Api.Tests.Validation.Security;

/// <summary>Istio's TestValidateTelemetry and TestValidateTelemetryFilter tables, as YAML, plus the rules they leave out.</summary>
public sealed class TelemetryValidatorTests
{
    private static string Telemetry(string spec) => $"""
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata:
          name: t
          namespace: ns
        spec:
        {spec}
        """;

    private const string GoodTag = """
          tracing:
          - customTags:
              clusterID:
                environment:
                  name: FOO
        """;

    public static TheoryData<string, string, string?, string?> IstioTable() => new()
    {
        { "empty", "  {}", null, null },
        {
            "multiple providers", """
              tracing:
              - providers:
                - name: a
                - name: b
            """, null, "multiple providers"
        },
        {
            "multiple tracers", """
              tracing:
              - {}
              - {}
            """, null, "multiple tracing"
        },
        {
            "bad randomSamplingPercentage", """
              tracing:
              - randomSamplingPercentage: 101
            """, "randomSamplingPercentage", null
        },
        { "tracing with a good custom tag", GoodTag, null, null },
        {
            "bad metrics operation", """
              metrics:
              - overrides:
                - tagOverrides:
                    my-tag:
                      operation: UPSERT
                      value: ''
            """, "must be set when operation is UPSERT", null
        },
        {
            "good metrics operation", """
              metrics:
              - overrides:
                - tagOverrides:
                    my-tag:
                      operation: UPSERT
                      value: some-cel-expression
            """, null, null
        },
        {
            "multi-accessloggings", """
              accessLogging:
              - providers:
                - name: envoy
              - providers:
                - name: otel
            """, null, null
        },
        {
            "multi-accesslogging-providers", """
              accessLogging:
              - providers:
                - name: envoy
                - name: otel
            """, null, null
        },
        {
            "good targetRef", GoodTag + "\n" + """
              targetRef:
                group: gateway.networking.k8s.io
                kind: Gateway
                name: foo
            """, null, null
        },
        {
            "bad targetRef - empty name", GoodTag + "\n" + """
              targetRef:
                group: gateway.networking.k8s.io
                kind: Gateway
            """, "targetRef name must be set", null
        },
        {
            "bad targetRef - non-empty namespace", GoodTag + "\n" + """
              targetRef:
                group: gateway.networking.k8s.io
                kind: Gateway
                name: foo
                namespace: bar
            """, "targetRef namespace must not be set", null
        },
        {
            "bad targetRef - wrong group", GoodTag + "\n" + """
              targetRef:
                group: wrong-group
                kind: Gateway
                name: foo
            """, "targetRef must be to one of [core/v1/Service networking.istio.io/v1/ServiceEntry gateway.networking.k8s.io/v1/Gateway gateway.networking.k8s.io/v1/GatewayClass] but was wrong-group/Gateway", null
        },
        {
            "bad targetRef - wrong kind", GoodTag + "\n" + """
              targetRef:
                group: gateway.networking.k8s.io
                kind: wrong-kind
                name: foo
            """, "but was gateway.networking.k8s.io/wrong-kind", null
        },
        {
            "targetRef and selector cannot both be set", GoodTag + "\n" + """
              targetRef:
                group: gateway.networking.k8s.io
                kind: wrong-kind
                name: foo
              selector:
                matchLabels:
                  app: httpbin
            """, "only one of targetRefs or workloadSelector can be set", null
        },
    };

    [Theory]
    [MemberData(nameof(IstioTable))]
    public void Istio_test_table(string name, string spec, string? error, string? warning)
    {
        var context = Run(Telemetry(spec));
        if (error is null)
        {
            Assert.False(context.HasErrors, $"{name}: {context.Describe()}");
        }
        else
        {
            Assert.True(context.Errors().Any(e => e.Message.Contains(error, StringComparison.Ordinal)), $"{name}: {context.Describe()}");
        }

        if (warning is null)
        {
            Assert.False(context.Warnings().Any(), $"{name}: {context.Describe()}");
        }
        else
        {
            Assert.True(context.Warnings().Any(w => w.Message.Contains(warning, StringComparison.Ordinal)), $"{name}: {context.Describe()}");
        }
    }

    [Theory]
    [InlineData("response.code >= 400", true)]
    [InlineData("connection.mtls && request.url_path.contains('v1beta3')", true)]
    [InlineData("response.code", true)]
    [InlineData(")++++", false)]
    [InlineData("", false)]
    public void Istio_filter_table(string expression, bool valid)
    {
        var yaml = Telemetry($"""
              accessLogging:
              - filter:
                  expression: {Weft.Api.GoCompat.GoStrconv.Quote(expression)}
            """);
        var context = Run(yaml);
        Assert.Equal(!valid, context.Errors().Any(e => e.Path == "spec.accessLogging[0].filter.expression"
            && e.Message.StartsWith("must be a valid CEL expression, ", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_filter_without_an_expression_is_an_empty_expression()
    {
        AssertError(Telemetry("""
              accessLogging:
              - filter: {}
            """), "spec.accessLogging[0].filter.expression", "must be a valid CEL expression");
    }

    [Fact]
    public void Remove_takes_no_value()
    {
        AssertError(Telemetry("""
              metrics:
              - overrides:
                - tagOverrides:
                    request_protocol:
                      operation: REMOVE
                      value: x
            """), "spec.metrics[0].overrides[0].tagOverrides[request_protocol].value", "tagOverrides.value may only be set when operation is UPSERT");
    }

    [Fact]
    public void Upsert_is_the_default_operation()
    {
        AssertError(Telemetry("""
              metrics:
              - overrides:
                - tagOverrides:
                    my-tag: {}
            """), "spec.metrics[0].overrides[0].tagOverrides[my-tag].value", "tagOverrides.value must be set when operation is UPSERT");
    }

    [Fact]
    public void An_empty_tag_name_is_a_warning()
    {
        AssertWarning(Telemetry("""
              metrics:
              - overrides:
                - tagOverrides:
                    '':
                      value: x
            """), "spec.metrics[0].overrides[0].tagOverrides[]", "tagOverrides.name may not be empty");
    }

    [Fact]
    public void Metric_selector_one_of()
    {
        AssertError(Telemetry("""
              metrics:
              - overrides:
                - match:
                    customMetric: ''
            """), "spec.metrics[0].overrides[0].match.customMetric", "customMetric may not be empty");
        AssertError(Telemetry("""
              metrics:
              - overrides:
                - match:
                    metric: REQUEST_COUNT
                    customMetric: my_metric
            """), "spec.metrics[0].overrides[0].match", "only one of metric or customMetric may be set");
        AssertClean(Telemetry("""
              metrics:
              - overrides:
                - match:
                    metric: ALL_METRICS
                    mode: CLIENT
                  disabled: true
            """));
    }

    [Fact]
    public void Provider_names_must_be_set()
    {
        AssertError(Telemetry("""
              metrics:
              - providers:
                - name: prometheus
                - {}
            """), "spec.metrics[0].providers[1].name", "providers.name may not be empty");
        AssertError(Telemetry("""
              accessLogging:
              - providers:
                - name: ''
            """), "spec.accessLogging[0].providers[0].name", "providers.name may not be empty");
    }

    [Theory]
    [InlineData("{literal: {}}", "spec.tracing[0].customTags[t].literal.value", "literal tag value may not be empty")]
    [InlineData("{header: {}}", "spec.tracing[0].customTags[t].header.name", "header tag name may not be empty")]
    [InlineData("{environment: {}}", "spec.tracing[0].customTags[t].environment.name", "environment tag name may not be empty")]
    [InlineData("{literal: {value: a}, header: {name: b}}", "spec.tracing[0].customTags[t]", "only one of literal, environment, header or formatter may be set")]
    public void Custom_tags(string tag, string path, string message)
    {
        AssertError(Telemetry($"""
              tracing:
              - customTags:
                  t: {tag}
            """), path, message);
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("100", true)]
    [InlineData("0.01", true)]
    [InlineData("-0.5", false)]
    [InlineData("100.5", false)]
    public void Sampling_percentage(string value, bool valid)
    {
        var context = Run(Telemetry($"""
              tracing:
              - randomSamplingPercentage: {value}
            """));
        Assert.Equal(!valid, context.Errors().Any(e => e.Path == "spec.tracing[0].randomSamplingPercentage"
            && e.Message == "randomSamplingPercentage must be in range [0.0, 100.0]"));
    }
}
