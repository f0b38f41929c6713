using static Weft.Api.Tests.Validation.Security.SecurityValidation;

namespace Weft.Api.Tests.Validation.Security;

public sealed class AuthorizationPolicyValidatorTests
{
    private static string Policy(string spec, string annotations = "") => $"""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: p
          namespace: ns
        {annotations}
        spec:
        {spec}
        """;

    [Fact]
    public void Provider_only_goes_with_custom()
    {
        AssertError(Policy("""
              provider:
                name: ext
              rules:
              - {}
            """), "spec.provider", "`provider` must not be with non CUSTOM action, found ALLOW");
        AssertError(Policy("""
              action: DENY
              provider:
                name: ext
              rules:
              - {}
            """), "spec.provider", "found DENY");
    }

    [Fact]
    public void Custom_needs_rules_and_a_provider_name()
    {
        AssertError(Policy("""
              action: CUSTOM
              provider:
                name: ext
            """), "spec.rules", "CUSTOM action without `rules` is meaningless");
        AssertError(Policy("""
              action: CUSTOM
              provider: {}
              rules:
              - {}
            """), "spec.provider.name", "`provider.name` must not be empty");
    }

    [Fact]
    public void Custom_rejects_identity_matching_and_auth_conditions()
    {
        var yaml = Policy("""
              action: CUSTOM
              provider:
                name: ext
              rules:
              - from:
                - source:
                    serviceAccounts: [ns/sa]
                    trustDomains: [td]
                    ipBlocks: [1.2.3.4]
                when:
                - key: source.serviceAccount
                  values: [ns/sa]
                - key: request.auth.audiences
                  values: [a]
                - key: source.ip
                  values: [1.2.3.4]
            """);
        AssertError(yaml, "spec.rules[0].from[0].source.serviceAccounts", "From.ServiceAccounts is currently not supported with CUSTOM action");
        AssertError(yaml, "spec.rules[0].from[0].source.trustDomains", "From.TrustDomains is currently not supported with CUSTOM action");
        AssertError(yaml, "spec.rules[0].when[0].key", "source.serviceAccount is currently not supported with CUSTOM action");
        AssertError(yaml, "spec.rules[0].when[1].key", "request.auth.audiences is currently not supported with CUSTOM action");
        Assert.Equal(4, SecurityValidation.Run(yaml).Errors().Count());
    }

    [Fact]
    public void An_empty_rules_list_counts_as_no_rules()
    {
        AssertError(Policy("""
              action: DENY
              rules: []
            """), "spec.rules", "DENY action without `rules` is meaningless");
    }

    [Theory]
    [InlineData("ALLOW", "'1'", true)]
    [InlineData("DENY", "'False'", true)]
    [InlineData("DENY", "'yes'", false)]
    [InlineData("AUDIT", "'true'", false)]
    public void Dry_run_annotation(string action, string value, bool valid)
    {
        var yaml = Policy($"""
              action: {action}
              rules:
              - to:
                - operation:
                    ports: ['80']
            """, $"""
              annotations:
                istio.io/dry-run: {value}
            """);
        var context = SecurityValidation.Run(yaml);
        Assert.Equal(!valid, context.Errors().Any(e => e.Path == "metadata.annotations[istio.io/dry-run]"));
    }

    [Fact]
    public void Dry_run_on_audit_names_the_action()
    {
        AssertError(Policy("""
              action: AUDIT
              rules:
              - {}
            """, """
              annotations:
                istio.io/dry-run: 'true'
            """), "metadata.annotations[istio.io/dry-run]",
            "the annotation istio.io/dry-run currently only supports action ALLOW/DENY, found action AUDIT in ns/p");
    }

    [Theory]
    [InlineData("internal.istio.io/webhook-always-reject", "\"internal.istio.io/webhook-always-reject\" annotation found, rejecting")]
    [InlineData("internal.istio.io/parents", "\"internal.istio.io/parents\" annotation found, this may not be set by users")]
    [InlineData("internal.istio.io/parent-namespace", "annotation found, this may not be set by users")]
    public void Internal_annotations_are_rejected(string annotation, string message)
    {
        AssertError(Policy("  action: ALLOW", $"""
              annotations:
                {annotation}: x
            """), $"metadata.annotations[{annotation}]", message);
    }

    [Fact]
    public void Wildcard_in_a_selector_key()
    {
        AssertError(Policy("""
              selector:
                matchLabels:
                  'app*': x
            """), "spec.selector.matchLabels[app*]", "wildcard is not supported in selector: \"app*=x\"");
    }

    [Fact]
    public void Target_refs_are_checked_one_by_one_and_exclude_the_selector()
    {
        var yaml = Policy("""
              selector:
                matchLabels:
                  app: a
              targetRefs:
              - kind: Service
                name: s
              - group: networking.istio.io
                kind: ServiceEntry
              - group: gateway.networking.k8s.io
                kind: HTTPRoute
                name: r
            """);
        AssertError(yaml, "spec.selector", "only one of targetRefs or workloadSelector can be set");
        AssertError(yaml, "spec.targetRefs[1].name", "targetRef name must be set");
        AssertError(yaml, "spec.targetRefs[2]", "but was gateway.networking.k8s.io/HTTPRoute");
        Assert.Equal(3, SecurityValidation.Run(yaml).Errors().Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData("core")]
    public void The_core_group_may_be_spelled_empty_or_core(string group)
    {
        AssertValid(Policy($"""
              targetRef:
                group: '{group}'
                kind: Service
                name: s
            """));
    }

    [Fact]
    public void From_and_to_entries_need_a_source_and_an_operation()
    {
        var yaml = Policy("""
              rules:
              - from:
                - {}
                to:
                - {}
            """);
        AssertError(yaml, "spec.rules[0].from[0]", "`from.source` must not be nil, found at rule 0");
        AssertError(yaml, "spec.rules[0].to[0]", "`to.operation` must not be nil, found at rule 0");
    }

    [Theory]
    [InlineData("principals", "Principals")]
    [InlineData("notPrincipals", "NotPrincipals")]
    [InlineData("requestPrincipals", "RequestPrincipals")]
    [InlineData("notRequestPrincipals", "NotRequestPrincipals")]
    [InlineData("namespaces", "Namespaces")]
    [InlineData("notNamespaces", "NotNamespaces")]
    [InlineData("serviceAccounts", "ServiceAccounts")]
    [InlineData("notServiceAccounts", "NotServiceAccounts")]
    [InlineData("trustDomains", "TrustDomains")]
    [InlineData("notTrustDomains", "NotTrustDomains")]
    public void Empty_source_values(string field, string name)
    {
        AssertError(Policy($"""
              rules:
              - from:
                - source:
                    {field}: ['']
            """), $"spec.rules[0].from[0].source.{field}", $"empty value not allowed, found in {name}");
    }

    [Theory]
    [InlineData("hosts", "Hosts")]
    [InlineData("notHosts", "NotHosts")]
    [InlineData("methods", "Methods")]
    [InlineData("notMethods", "NotMethods")]
    [InlineData("paths", "Paths")]
    [InlineData("notPaths", "NotPaths")]
    public void Empty_operation_values(string field, string name)
    {
        AssertError(Policy($"""
              rules:
              - to:
                - operation:
                    {field}: ['']
            """), $"spec.rules[0].to[0].operation.{field}", $"empty value not allowed, found in {name}");
    }

    [Theory]
    [InlineData("ns/sa", null)]
    [InlineData("sa", null)]
    [InlineData("ns/sa/x", "expected format 'serviceAccount' or 'namespace/serviceAccount', found \"ns/sa/x\" in ServiceAccounts")]
    [InlineData("/sa", "found empty namespace \"/sa\" in ServiceAccounts")]
    [InlineData("ns/", "found empty serviceAccount \"ns/\" in ServiceAccounts")]
    [InlineData("ns/*", "wildcard not allowed, found in ServiceAccounts")]
    public void Service_account_format(string value, string? message)
    {
        var yaml = Policy($"""
              rules:
              - from:
                - source:
                    serviceAccounts: ['{value}']
            """);
        if (message is null)
        {
            AssertValid(yaml);
        }
        else
        {
            AssertError(yaml, "spec.rules[0].from[0].source.serviceAccounts", message);
        }
    }

    [Fact]
    public void At_most_sixteen_service_accounts()
    {
        var list = string.Join(", ", Enumerable.Range(0, 17).Select(i => $"sa{i}"));
        AssertError(Policy($"""
              rules:
              - from:
                - source:
                    notServiceAccounts: [{list}]
            """), "spec.rules[0].from[0].source.notServiceAccounts", "may not have more than 16 values");
    }

    [Theory]
    [InlineData("cluster.local", null)]
    [InlineData("*.local", null)]
    [InlineData("*", null)]
    [InlineData("clu*ster", "wildcard is only allowed at the start or end, found in TrustDomains: \"clu*ster\"")]
    [InlineData("*cluster*", "at most one wildcard is allowed, found in TrustDomains: \"*cluster*\"")]
    [InlineData("a/b", "trust domain must not contain '/', found in TrustDomains: \"a/b\"")]
    public void Trust_domain_values(string value, string? message)
    {
        var yaml = Policy($"""
              rules:
              - from:
                - source:
                    trustDomains: ['{value}']
            """);
        if (message is null)
        {
            AssertValid(yaml);
        }
        else
        {
            AssertError(yaml, "spec.rules[0].from[0].source.trustDomains", message);
        }
    }

    [Theory]
    [InlineData("/foo/{*}/bar/{**}", null)]
    [InlineData("/foo/{**}", null)]
    [InlineData("/foo*", null)]
    [InlineData("/foo/{**}/bar", null)]
    [InlineData("/foo/{**}/{*}", "invalid or unsupported path foo/{**}/{*}, found in Paths. {**} is not the last operator")]
    [InlineData("/foo/{bar}", "invalid or unsupported path foo/{bar}, found in Paths. Contains '{' or '}' beyond a supported path template")]
    [InlineData("/{*}/a b", "Contains segment a b with invalid string literal")]
    [InlineData("/a b/c", null)]
    public void Path_templates(string value, string? message)
    {
        var yaml = Policy($"""
              rules:
              - to:
                - operation:
                    paths: ['{value}']
            """);
        if (message is null)
        {
            AssertValid(yaml);
        }
        else
        {
            AssertError(yaml, "spec.rules[0].to[0].operation.paths", message);
        }
    }

    [Theory]
    [InlineData("1.2.3.4", null)]
    [InlineData("10.0.0.0/8", null)]
    [InlineData("2001:db8::/32", null)]
    [InlineData("fe80::1%eth0", null)]
    [InlineData("01.2.3.4", "bad IP address (01.2.3.4)")]
    [InlineData("1.2.3", "bad IP address (1.2.3)")]
    [InlineData("10.0.0.0/33", "bad CIDR range (10.0.0.0/33): netip.ParsePrefix(\"10.0.0.0/33\"): prefix length out of range")]
    [InlineData("10.0.0.0/08", "bad CIDR range (10.0.0.0/08): netip.ParsePrefix(\"10.0.0.0/08\"): bad bits after slash: \"08\"")]
    [InlineData("1.2.3.256/24", "ParseAddr(\"1.2.3.256\"): IPv4 field has value >255")]
    [InlineData("fe80::1%eth0/64", "IPv6 zones cannot be present in a prefix")]
    public void Ip_blocks(string value, string? message)
    {
        var yaml = Policy($"""
              rules:
              - from:
                - source:
                    remoteIpBlocks: ['{value}']
            """);
        if (message is null)
        {
            AssertValid(yaml);
        }
        else
        {
            AssertError(yaml, "spec.rules[0].from[0].source.remoteIpBlocks[0]", message);
        }
    }

    [Theory]
    [InlineData("0", null)]
    [InlineData("65535", null)]
    [InlineData("65536", "bad port (65536): <nil>")]
    [InlineData("-1", "bad port (-1): strconv.ParseUint: parsing \"-1\": invalid syntax")]
    [InlineData("99999999999", "bad port (99999999999): strconv.ParseUint: parsing \"99999999999\": value out of range")]
    public void Operation_ports(string value, string? message)
    {
        var yaml = Policy($"""
              rules:
              - to:
                - operation:
                    notPorts: ['{value}']
            """);
        if (message is null)
        {
            AssertValid(yaml);
        }
        else
        {
            AssertError(yaml, "spec.rules[0].to[0].operation.notPorts[0]", message);
        }
    }

    [Theory]
    [InlineData("request.headers[x-foo]", "v", null)]
    [InlineData("request.headers", "v", "bad key (request.headers): should have format a[b]")]
    [InlineData("request.headers[]", "v", "bad key (request.headers[]): should have format a[b]")]
    [InlineData("request.auth.claims[groups]", "v", null)]
    [InlineData("request.auth.claims", "v", "bad key (request.auth.claims): should have format a[b]")]
    [InlineData("experimental.envoy.filters.a.b[c]", "v", null)]
    [InlineData("remote.ip", "10.0.0.0/16", null)]
    [InlineData("destination.ip", "::1", null)]
    [InlineData("destination.ip", "::1::", "bad IP address (::1::)")]
    [InlineData("destination.port", "8080", null)]
    [InlineData("destination.port", "80a", "bad port (80a)")]
    [InlineData("source.serviceAccount", "ns/sa/x", "expected format 'serviceAccount' or 'namespace/serviceAccount'")]
    [InlineData("source.trustDomain", "a*b", "wildcard is only allowed at the start or end")]
    [InlineData("source.namespace", "ns", null)]
    [InlineData("request.auth.principal", "iss/sub", null)]
    [InlineData("request.auth.presenter", "x", null)]
    [InlineData("connection.sni", "www.example.com", null)]
    [InlineData("destination.namespace", "ns", "attribute destination.namespace is replaced by the metadata.namespace")]
    [InlineData("destination.labels[app]", "a", "attribute destination.labels[app] is replaced by the workload selector")]
    [InlineData("destination.user", "u", "deprecated attribute destination.user: only supported in v1alpha1")]
    [InlineData("source.name", "x", "unknown attribute: source.name")]
    public void Condition_keys_and_values(string key, string value, string? message)
    {
        var yaml = Policy($"""
              rules:
              - when:
                - key: '{key}'
                  notValues: ['{value}']
            """);
        if (message is null)
        {
            AssertValid(yaml);
        }
        else
        {
            AssertError(yaml, "spec.rules[0].when[0].notValues", $"invalid `notValue` for `key` {key}: {message}");
        }
    }

    [Fact]
    public void Condition_key_must_not_be_empty()
    {
        AssertError(Policy("""
              rules:
              - when:
                - key: ''
                  values: [a]
            """), "spec.rules[0].when[0].key", "`key` must not be empty");
    }

    [Fact]
    public void Deny_with_http_only_attributes_on_both_sides_warns()
    {
        var context = SecurityValidation.Run(Policy("""
              action: DENY
              rules:
              - from:
                - source:
                    principals: [a]
                to:
                - operation:
                    methods: [GET]
              - from:
                - source:
                    namespaces: [ns]
            """));
        Assert.False(context.HasErrors, context.Describe());
        Assert.Equal([("spec.rules[0]", true)], context.Warnings().Select(w => (w.Path, w.Message.StartsWith("configured AuthorizationPolicy will deny all traffic to TCP ports", StringComparison.Ordinal))));
    }

    [Fact]
    public void Allow_with_http_only_attributes_does_not_warn()
    {
        var context = SecurityValidation.Run(Policy("""
              rules:
              - to:
                - operation:
                    methods: [GET]
            """));
        Assert.Empty(context.Findings);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var context = SecurityValidation.Run(Policy("""
              selector:
                matchLabels:
                  '': '*'
              rules:
              - from:
                - source: {}
                to:
                - operation:
                    ports: [x]
                when:
                - key: source.ip
            """));
        Assert.Equal(
            [
                "spec.selector.matchLabels[]",
                "spec.selector.matchLabels[]",
                "spec.rules[0].from[0].source",
                "spec.rules[0].to[0].operation.ports[0]",
                "spec.rules[0].when[0]",
            ],
            context.Errors().Select(e => e.Path));
    }
}
