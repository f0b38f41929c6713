using static Weft.Api.Tests.Validation.Traffic.TrafficValidation;

namespace Weft.Api.Tests.Validation.Traffic;

/// <summary>VirtualService rules beyond the corpus cases: the field a user would be pointed to and Istio's wording.</summary>
public sealed class VirtualServiceRulesTests
{
    private const string Route = """
          http:
          - route:
            - destination:
                host: foo.baz
        """;

    // One HTTP route to foo.baz for host foo.bar, with extra route-level YAML (indented as a route's fields).
    private static Outcome Http(string routeFields) => VirtualService($"""
          hosts: [foo.bar]
          http:
          - route:
            - destination:
                host: foo.baz
        {Indent(routeFields, 4)}
        """);

    private static string Indent(string text, int spaces)
    {
        var pad = new string(' ', spaces);
        return string.Join('\n', text.Split('\n').Select(l => l.Length == 0 ? l : pad + l));
    }

    public static TheoryData<string, string, string> HttpRouteErrors => new()
    {
        { "match:\n- uri:\n    regex: \"foo(?=bar)\"", "spec.http[0].match[0].uri", "\"uri\": error parsing regexp: invalid or unsupported Perl syntax: `(?=`" },
        { "match:\n- uri:\n    regex: \"(a)\\\\1\"", "spec.http[0].match[0].uri", "invalid escape sequence: `\\1`" },
        { "match:\n- uri:\n    regex: \"\"", "spec.http[0].match[0].uri", "\"uri\": regex string match should not be empty" },
        { "match:\n- method:\n    prefix: \"\"", "spec.http[0].match[0].method", "\"method\": prefix string match should not be empty" },
        { "match:\n- scheme:\n    regex: \"\"", "spec.http[0].match[0].scheme", "\"scheme\": regex string match should not be empty" },
        { "match:\n- authority:\n    regex: \"a**\"", "spec.http[0].match[0].authority", "invalid nested repetition operator" },
        { "match:\n- headers:\n    foo bar:\n      exact: x", "spec.http[0].match[0].headers[foo bar]", "header name foo bar is not a valid header name" },
        { "match:\n- headers:\n    x-id:\n      regex: \"[z-a]\"", "spec.http[0].match[0].headers[x-id]", "\"headers\": error parsing regexp: invalid character class range: `z-a`" },
        { "match:\n- withoutHeaders:\n    x-id:\n      regex: \"?\"", "spec.http[0].match[0].withoutHeaders[x-id]", "missing argument to repetition operator" },
        { "match:\n- queryParams:\n    q:\n      prefix: \"\"", "spec.http[0].match[0].queryParams[q]", "\"queryParams\": prefix string match should not be empty" },
        { "match:\n- port: 70000", "spec.http[0].match[0].port", "port number 70000 must be in the range 1..65535" },
        { "match:\n- sourceLabels:\n    -app: x", "spec.http[0].match[0].sourceLabels[-app]", "invalid tag key: \"-app\"" },
        { "match:\n- gateways: [\"ns/b@d\"]", "spec.http[0].match[0].gateways[0]", "invalid value for gateway name: \"b@d\"" },
        { "match:\n- sourceNamespace: Bad_NS", "spec.http[0].match[0].sourceNamespace", "sourceNamespace match Bad_NS is invalid" },
        { "timeout: 1.5ms", "spec.http[0].timeout", "only durations to ms precision are supported" },
        { "timeout: 10", "spec.http[0].timeout", "bad Duration: time: missing unit in duration \"10\"" },
        { "retries:\n  attempts: -1", "spec.http[0].retries.attempts", "attempts cannot be negative" },
        { "retries:\n  attempts: 0\n  perTryTimeout: 1s", "spec.http[0].retries", "http retry policy configured when attempts are set to 0 (disabled)" },
        { "retries:\n  attempts: 3\n  perTryTimeout: 0.5ms", "spec.http[0].retries.perTryTimeout", "duration must be greater than 1ms" },
        { "retries:\n  attempts: 3\n  retryOn: 5xx,bogus", "spec.http[0].retries.retryOn", "\"bogus\" is not a valid retryOn policy" },
        { "retries:\n  attempts: 3\n  retryOn: \"599\"", "spec.http[0].retries.retryOn", "\"599\" is not a valid retryOn policy" },
        { "retries:\n  attempts: 3\n  backoff: 0s", "spec.http[0].retries.backoff", "duration must be greater than 1ms" },
        { "fault: {}", "spec.http[0].fault", "HTTP fault injection must have an abort and/or a delay" },
        { "fault:\n  abort:\n    httpStatus: 601", "spec.http[0].fault.abort.httpStatus", "HTTP status 601 is not in range 200-599" },
        { "fault:\n  abort:\n    httpStatus: 0", "spec.http[0].fault.abort.httpStatus", "HTTP status 0 is not in range 200-599" },
        { "fault:\n  abort:\n    grpcStatus: NOPE", "spec.http[0].fault.abort.grpcStatus", "gRPC status \"NOPE\" is not supported" },
        { "fault:\n  abort:\n    http2Error: CANCEL", "spec.http[0].fault.abort.http2Error", "HTTP/2 abort fault injection not supported yet" },
        { "fault:\n  abort:\n    httpStatus: 503\n    percentage:\n      value: 101", "spec.http[0].fault.abort.percentage.value", "percentage 101 is neither 0.0, nor in range [0.0001, 100.0]" },
        { "fault:\n  delay:\n    fixedDelay: 5s\n    percentage:\n      value: 0.00001", "spec.http[0].fault.delay.percentage.value", "percentage 1e-05 is neither 0.0" },
        { "fault:\n  delay:\n    fixedDelay: 0s", "spec.http[0].fault.delay.fixedDelay", "duration must be greater than 1ms" },
        { "fault:\n  delay:\n    exponentialDelay: 1s", "spec.http[0].fault.delay.exponentialDelay", "exponentialDelay not supported yet" },
        { "mirror:\n  host: a.b\nmirrors:\n- destination:\n    host: c.d", "spec.http[0]", "HTTP route cannot contain both mirror and mirrors" },
        { "mirrors:\n- percentage:\n    value: 50", "spec.http[0].mirrors[0].destination", "destination is required for mirrors" },
        { "mirrors:\n- destination:\n    host: c.d\n  percentage:\n    value: 150", "spec.http[0].mirrors[0].percentage.value", "mirror percentage must have a max value of 100 (it has 150.000000)" },
        { "mirror:\n  host: '*'", "spec.http[0].mirror.host", "invalid destination host *" },
        { "mirrorPercent: 101", "spec.http[0].mirrorPercent", "mirror_percent must have a max value of 100 (it has 101)" },
        { "mirrorPercentage:\n  value: -1", "spec.http[0].mirrorPercentage.value", "mirror_percentage must have a min value of 0 (it has -1.000000)" },
        { "corsPolicy:\n  allowOrigins:\n  - {}", "spec.http[0].corsPolicy.allowOrigins[0]", "'' is not a valid match type for CORS allow origins" },
        { "corsPolicy:\n  allowOrigins:\n  - regex: \"(\"", "spec.http[0].corsPolicy.allowOrigins[0]", "\"corsPolicy.allowOrigins\": error parsing regexp: missing closing )" },
        { "corsPolicy:\n  allowMethods: [get]", "spec.http[0].corsPolicy.allowMethods[0]", "\"get\" is not a supported HTTP method" },
        { "corsPolicy:\n  allowHeaders: [\"\"]", "spec.http[0].corsPolicy.allowHeaders[0]", "header name cannot be empty" },
        { "corsPolicy:\n  exposeHeaders: [\"x y\"]", "spec.http[0].corsPolicy.exposeHeaders[0]", "header name x y is not a valid header name" },
        { "corsPolicy:\n  maxAge: 1.5s", "spec.http[0].corsPolicy.maxAge", "max_age duration is accurate only to seconds precision" },
        { "headers:\n  request:\n    set:\n      \":path\": /x", "spec.http[0].headers.request.set[:path]", "invalid header \":path\": header cannot have \":\" prefix" },
        { "headers:\n  request:\n    remove: [Host]", "spec.http[0].headers.request.remove[0]", "invalid header \"Host\": cannot set Host header" },
        { "headers:\n  response:\n    add:\n      \":status\": \"200\"", "spec.http[0].headers.response.add[:status]", "header cannot have \":\" prefix" },
        { "headers:\n  response:\n    set:\n      x-a: \"%START_TIME%%\"", "spec.http[0].headers.response.set[x-a]", "header value configuration: invalid header configuration. Un-escaped %" },
        { "headers:\n  response:\n    set:\n      x-a: \"a\\u0001b\"", "spec.http[0].headers.response.set[x-a]", "is invalid" },
        { "headers:\n  request:\n    add:\n      host: a.com\n    set:\n      \":authority\": b.com", "spec.http[0].headers.request.add[host]", "authority header cannot be set multiple times: have \"b.com\", attempting to set \"a.com\"" },
        { "rewrite: {}", "spec.http[0].rewrite", "rewrite must specify at least one of URI, UriRegexRewrite, or authority" },
        { "rewrite:\n  uri: /a\n  uriRegexRewrite:\n    match: a\n    rewrite: b", "spec.http[0].rewrite", "rewrite may only contain one of URI or UriRegexRewrite" },
        { "rewrite:\n  uriRegexRewrite:\n    match: a", "spec.http[0].rewrite.uriRegexRewrite", "UriRegexRewrite requires both Rewrite and Match fields to be specified" },
        { "rewrite:\n  uriRegexRewrite:\n    match: \"(?<!a)b\"\n    rewrite: c", "spec.http[0].rewrite.uriRegexRewrite.match", "\"HTTPRewrite.UriRegexRewrite.Match\": error parsing regexp: invalid named capture" },
        { "directResponse:\n  status: 200", "spec.http[0]", "HTTP route cannot contain both route and direct_response" },
        { "redirect:\n  uri: /x", "spec.http[0]", "HTTP route cannot contain both route and redirect" },
        { "redirect:\n  uri: /x\nfault:\n  delay:\n    fixedDelay: 1s", "spec.http[0]", "HTTP route cannot contain both fault and redirect" },
    };

    [Theory]
    [MemberData(nameof(HttpRouteErrors))]
    public void Http_route_errors(string routeFields, string path, string message) => AssertError(Http(routeFields), path, message);

    public static TheoryData<string> ValidHttpRoutes => new()
    {
        "match:\n- uri:\n    prefix: \"\"",
        "match:\n- uri:\n    regex: \"/api/v[0-9]+/(users|orders)/.*\"",
        "match:\n- withoutHeaders:\n    x-id:\n      regex: \"*\"",
        "match:\n- headers:\n    \":authority\":\n      exact: a.com\n    x-b3-traceid:\n      regex: \"[0-9a-f]{16}\"",
        "timeout: 10s",
        "retries:\n  attempts: 3\n  perTryTimeout: 2s\n  retryOn: gateway-error,connect-failure,503,retriable-status-codes",
        "fault:\n  abort:\n    httpStatus: 600",
        "fault:\n  abort:\n    grpcStatus: UNAVAILABLE\n    percentage:\n      value: 0.0001",
        "fault:\n  delay:\n    fixedDelay: 5s\n    percentage:\n      value: 0",
        "mirrors:\n- destination:\n    host: c.d\n  percentage:\n    value: 100",
        "corsPolicy:\n  allowOrigins:\n  - exact: https://a.com\n  - regex: \"https://.*\\\\.b\\\\.com\"\n  allowMethods: [GET, POST, \"*\"]\n  allowHeaders: [\"*\", x-custom]\n  maxAge: 24h",
        "headers:\n  request:\n    set:\n      Host: a.com\n      x-a: \"%DOWNSTREAM_REMOTE_ADDRESS%\"\n  response:\n    add:\n      x-b: 100%%",
        "rewrite:\n  uriRegexRewrite:\n    match: \"^/service/([^/]+)(/.*)$\"\n    rewrite: \"\\\\2/instance/\\\\1\"",
    };

    [Theory]
    [MemberData(nameof(ValidHttpRoutes))]
    public void Valid_http_routes(string routeFields) => AssertClean(Http(routeFields));

    [Fact]
    public void Abort_without_an_error_type_is_a_warning()
    {
        var outcome = Http("fault:\n  abort:\n    percentage:\n      value: 5");
        Assert.True(outcome.Valid, outcome.ToString());
        AssertWarning(outcome, "spec.http[0].fault.abort", "abort configured, but error type not set");
    }

    [Fact]
    public void Deprecated_mirror_percent_warns()
    {
        var outcome = Http("mirror:\n  host: c.d\nmirrorPercent: 5");
        Assert.True(outcome.Valid, outcome.ToString());
        AssertWarning(outcome, "spec.http[0].mirrorPercent", "using deprecated setting \"mirrorPercent\", use \"mirrorPercentage\" instead");
    }

    [Theory]
    [InlineData("uri: /a\nprefixRewrite: /b", "spec.http[0].redirect", "redirect may only specify one of uri or prefix_rewrite")]
    [InlineData("redirectCode: 200\nuri: /a", "spec.http[0].redirect.redirectCode", "200 is not a valid redirect code, must be 3xx")]
    [InlineData("scheme: ftp", "spec.http[0].redirect.scheme", "invalid redirect scheme, must be \"http\" or \"https\"")]
    [InlineData("port: 70000", "spec.http[0].redirect.port", "port number 70000 must be in the range 1..65535")]
    [InlineData("redirectCode: 301", "spec.http[0].redirect", "redirect must specify URI, authority, scheme, or port")]
    public void Redirect_errors(string redirectFields, string path, string message) =>
        AssertError(VirtualService($"""
              hosts: [foo.bar]
              http:
              - redirect:
            {Indent(redirectFields, 6)}
            """), path, message);

    [Theory]
    [InlineData("port: 8080")]
    [InlineData("derivePort: FROM_PROTOCOL_DEFAULT")]
    [InlineData("scheme: https\nredirectCode: 308")]
    public void Valid_redirects(string redirectFields) =>
        AssertClean(VirtualService($"""
              hosts: [foo.bar]
              http:
              - redirect:
            {Indent(redirectFields, 6)}
            """));

    [Fact]
    public void Direct_response_needs_a_status_and_a_small_body()
    {
        var outcome = VirtualService("""
              hosts: [foo.bar]
              http:
              - directResponse:
                  body:
                    string: hello
            """);
        AssertError(outcome, "spec.http[0].directResponse.status", "HTTP status 0 is not in range 200-599");

        var large = VirtualService($"""
              hosts: [foo.bar]
              http:
              - directResponse:
                  status: 200
                  body:
                    string: {new string('x', 200 * 1024)}
            """);
        Assert.True(large.Valid, large.ToString());
        AssertWarning(large, "spec.http[0].directResponse.body", "large direct_responses may impact control plane performance");

        var tooLarge = VirtualService($"""
              hosts: [foo.bar]
              http:
              - directResponse:
                  status: 200
                  body:
                    string: {new string('x', (1024 * 1024) + 1)}
            """);
        AssertError(tooLarge, "spec.http[0].directResponse.body", "must be less than 1MB");
    }

    public static TheoryData<string, string, string> DestinationErrors => new()
    {
        { "host: '*'", "spec.http[0].route[0].destination.host", "invalid destination host *" },
        { "host: foo..bar", "spec.http[0].route[0].destination.host", "domain name \".bar\" invalid (label \"\" invalid)" },
        { "host: foo.bar\nsubset: V_1", "spec.http[0].route[0].destination.subset", "subset name is invalid: V_1" },
        { "host: foo.bar\nport:\n  number: 0", "spec.http[0].route[0].destination.port.number", "port number 0 must be in the range 1..65535" },
    };

    [Theory]
    [MemberData(nameof(DestinationErrors))]
    public void Destination_errors(string destinationFields, string path, string message) =>
        AssertError(VirtualService($"""
              hosts: [foo.bar]
              http:
              - route:
                - destination:
            {Indent(destinationFields, 8)}
            """), path, message);

    [Fact]
    public void Weights_must_not_be_negative_nor_all_zero()
    {
        var zero = VirtualService("""
              hosts: [foo.bar]
              http:
              - route:
                - destination: {host: a.b}
                  weight: 0
                - destination: {host: c.d}
            """);
        AssertError(zero, "spec.http[0].route", "total destination weight = 0");

        var negative = VirtualService("""
              hosts: [foo.bar]
              tcp:
              - route:
                - destination: {host: a.b}
                  weight: -1
                - destination: {host: c.d}
                  weight: 1
            """);
        AssertError(negative, "spec.tcp[0].route[0].weight", "weight -1 < 0");

        AssertClean(VirtualService("""
              hosts: [foo.bar]
              http:
              - route:
                - destination: {host: a.b}
                  weight: 0
            """));
    }

    [Fact]
    public void Delegate_rules()
    {
        var withGatewaysAndTcp = VirtualService("""
              gateways: [gw]
              tcp:
              - route:
                - destination: {host: a.b}
            """);
        AssertError(withGatewaysAndTcp, "spec.gateways", "delegate virtual service must have no gateways specified");
        AssertError(withGatewaysAndTcp, "spec.tcp", "delegate virtual service must have no tcp route specified");

        var delegateInDelegate = VirtualService("""
              http:
              - delegate: {name: x, namespace: y}
            """);
        AssertError(delegateInDelegate, "spec.http[0].delegate", "delegate HTTP route cannot contain delegate");

        var rootWithRoute = VirtualService("""
              hosts: [foo.bar]
              http:
              - name: main
                delegate: {name: x, namespace: y}
                route:
                - destination: {host: a.b}
            """);
        AssertError(rootWithRoute, "spec.http[0].route", "root HTTP route main must not specify route");

        AssertClean(VirtualService("""
              hosts: [foo.bar]
              http:
              - delegate: {name: x, namespace: y}
            """));
    }

    [Fact]
    public void Hosts()
    {
        AssertError(VirtualService("  hosts: [foo.bar, foo.bar]\n" + Route), "spec.hosts[1]", "duplicate hosts in virtual service: foo.bar & foo.bar");
        AssertError(VirtualService("  hosts: ['*']\n  gateways: [gw, mesh]\n" + Route), "spec.hosts[0]", "wildcard host * is not allowed for virtual services bound to the mesh gateway");
        AssertError(VirtualService("  hosts: ['foo.*']\n" + Route), "spec.hosts[0]", "domain name \"*\" invalid (label \"*\" invalid)");
        AssertClean(VirtualService("  hosts: [1.2.3.4, reviews, '*.example.com']\n" + Route));
    }

    [Fact]
    public void Gateway_names()
    {
        AssertError(VirtualService("  hosts: [foo.bar]\n  gateways: [ns/]\n" + Route), "spec.gateways[0]", "config namespace and gateway name cannot be empty");
        AssertError(VirtualService("  hosts: [foo.bar]\n  gateways: [n_s/gw]\n" + Route), "spec.gateways[0]", "invalid value for namespace: \"n_s\"");

        // Like Istio, nothing after the first name without a '/' is checked.
        AssertClean(VirtualService("  hosts: [foo.bar]\n  gateways: [mesh, \"ns/b@d\"]\n" + Route));

        var legacy = VirtualService("  hosts: [foo.bar]\n  gateways: [gw.ns]\n" + Route);
        Assert.True(legacy.Valid, legacy.ToString());
        AssertWarning(legacy, "spec.gateways[0]", "using legacy gatewayName format \"gw.ns\"; prefer the <namespace>/<name> format: \"ns/gw\"");
    }

    [Fact]
    public void Gateway_api_route_semantics_relax_names_and_destinations()
    {
        var outcome = Run("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: foo
              namespace: bar
              annotations:
                internal.istio.io/route-semantics: gateway
            spec:
              hosts: [foo.bar]
              gateways: [ns/Gw.Name]
              http:
              - route:
                - destination:
                    host: '*'
            """);
        AssertClean(outcome);
    }

    [Fact]
    public void Jwt_claim_routing_needs_a_gateway()
    {
        var outcome = VirtualService("""
              hosts: [foo.bar]
              http:
              - match:
                - withoutHeaders:
                    "@request.auth.claims.group":
                      exact: admin
                route:
                - destination: {host: a.b}
            """);
        AssertError(outcome, "spec.http[0].match[0].withoutHeaders[@request.auth.claims.group]", "JWT claim based routing (key: @request.auth.claims.group) is only supported for gateway, found no gateways: []");

        AssertClean(VirtualService("""
              hosts: [foo.bar]
              gateways: [istio-system/ingress]
              http:
              - match:
                - headers:
                    "@request.auth.claims.group":
                      exact: admin
                route:
                - destination: {host: a.b}
            """));
    }

    [Fact]
    public void Tls_and_tcp_routes()
    {
        var tls = VirtualService("""
              hosts: [foo.bar]
              tls:
              - route:
                - destination: {host: a.b}
              - match:
                - sniHosts: [other.com]
                  destinationSubnets: [10.0.0.0/33]
                  port: 70000
                route:
                - destination: {host: a.b}
            """);
        AssertError(tls, "spec.tls[0].match", "TLS route must have at least one match condition");
        AssertError(tls, "spec.tls[1].match[0].sniHosts[0]", "SNI host \"other.com\" is not a compatible subset of any of the virtual service hosts: [foo.bar]");
        AssertError(tls, "spec.tls[1].match[0].destinationSubnets[0]", "10.0.0.0/33 is not a valid CIDR block");
        AssertError(tls, "spec.tls[1].match[0].port", "port number 70000 must be in the range 1..65535");

        var sniMissing = VirtualService("""
              hosts: ['*.foo.bar']
              tls:
              - match:
                - port: 443
                route:
                - destination: {host: a.b}
            """);
        AssertError(sniMissing, "spec.tls[0].match[0].sniHosts", "TLS match must have at least one SNI host");

        var tcp = VirtualService("""
              hosts: [foo.bar]
              tcp:
              - match:
                - destinationSubnets: [not-an-ip]
                  sourceLabels: {app: "a b"}
                route:
                - destination: {host: a.b}
            """);
        AssertError(tcp, "spec.tcp[0].match[0].destinationSubnets[0]", "not-an-ip is not a valid IP");
        AssertError(tcp, "spec.tcp[0].match[0].sourceLabels[app]", "invalid tag value: \"a b\"");

        AssertClean(VirtualService("""
              hosts: ['*.foo.bar']
              tls:
              - match:
                - sniHosts: [a.foo.bar]
                  destinationSubnets: [10.0.0.0/8, "2001:db8::/32", 1.2.3.4]
                route:
                - destination: {host: a.b, port: {number: 443}}
            """));
    }

    [Fact]
    public void Export_to()
    {
        var outcome = VirtualService("  hosts: [foo.bar]\n  exportTo: [bar, \".\", \"~\", Bad_Ns]\n" + Route);
        AssertError(outcome, "spec.exportTo[1]", "duplicate entries in exportTo: . and current namespace bar");
        AssertError(outcome, "spec.exportTo[2]", "exportTo ~ (none) is not allowed for Istio configuration objects");
        AssertError(outcome, "spec.exportTo[3]", "only .,*, or a valid DNS 1123 label is allowed as exportTo entry");

        AssertError(VirtualService("  hosts: [foo.bar]\n  exportTo: [\"*\", ns1]\n" + Route), "spec.exportTo", "cannot have both public (*) and non-public exportTo values for a resource");
        AssertError(VirtualService("  hosts: [foo.bar]\n  exportTo: [ns1, ns1]\n" + Route), "spec.exportTo[1]", "duplicate entries in exportTo for entry ns1");
        AssertClean(VirtualService("  hosts: [foo.bar]\n  exportTo: [\".\", ns1, ns2]\n" + Route));
    }

    [Fact]
    public void Unreachable_and_shadowed_rules_warn()
    {
        var outcome = VirtualService("""
              hosts: [foo.bar]
              http:
              - name: first
                match:
                - uri: {exact: /a}
                route:
                - destination: {host: a.b}
              - name: second
                match:
                - name: again
                  uri: {exact: /a}
                route:
                - destination: {host: a.b}
              - route:
                - destination: {host: a.b}
              - route:
                - destination: {host: a.b}
              - match:
                - uri: {prefix: /z}
                route:
                - destination: {host: a.b}
            """);
        Assert.True(outcome.Valid, outcome.ToString());
        AssertWarning(outcome, "spec.http[1].match[0]", "virtualService rule \"second\" match \"again\" is not used (duplicate/overlapping match in rule \"first\")");
        AssertWarning(outcome, "spec.http[1]", "virtualService rule \"second\" not used (all matches used by prior rules)");
        AssertWarning(outcome, "spec.http[3]", "virtualService rule #3 not used (only the last rule can have no matches)");
        AssertWarning(outcome, "spec.http[4].match[0]", "virtualService rule #4 not used (route without matches defined before)");

        var tcp = VirtualService("""
              hosts: [foo.bar]
              tcp:
              - match: [{port: 80}]
                route: [{destination: {host: a.b}}]
              - match: [{port: 80}]
                route: [{destination: {host: a.b}}]
            """);
        AssertWarning(tcp, "spec.tcp[1].match[0]", "virtualService rule #1 match #0 is not used (duplicate/overlapping match in rule #0)");
    }

    [Fact]
    public void Prefix_matches_covered_by_an_earlier_prefix_warn()
    {
        var outcome = VirtualService("""
              hosts: [foo.bar]
              http:
              - match:
                - uri: {prefix: /api}
                  headers: {x-a: {exact: v1}}
                route:
                - destination: {host: a.b}
              - name: later
                match:
                - uri: {prefix: /api/v1}
                  headers: {x-a: {exact: v1}}
                route:
                - destination: {host: a.b}
            """);
        AssertWarning(outcome, "spec.http[1].match[0]", "virtualService rule \"later\" match #0 of prefix /api/v1 is not used (duplicate/overlapping match in rule #0 of prefix /api on #0)");

        var differentPort = VirtualService("""
              hosts: [foo.bar]
              http:
              - match:
                - uri: {prefix: /api}
                route:
                - destination: {host: a.b}
              - match:
                - uri: {prefix: /api/v1}
                  port: 8080
                route:
                - destination: {host: a.b}
            """);
        AssertClean(differentPort);
    }

    [Fact]
    public void Rejected_annotations_stop_validation()
    {
        var outcome = Run("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: foo
              annotations:
                istio.io/dry-run: "true"
            spec:
              hosts: [foo.bar]
            """);
        Assert.Single(outcome.Errors);
        AssertError(outcome, "metadata.annotations[istio.io/dry-run]", "default/foo has unsupported annotation istio.io/dry-run, please remove the annotation");

        AssertError(Run("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: foo
              annotations:
                internal.istio.io/webhook-always-reject: "x"
            spec: {}
            """), "metadata.annotations[internal.istio.io/webhook-always-reject]", "\"internal.istio.io/webhook-always-reject\" annotation found, rejecting");
    }

    [Fact]
    public void Missing_spec_is_an_empty_virtual_service()
    {
        var outcome = Run("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: foo\n");
        AssertError(outcome, "spec", "http, tcp or tls must be provided in virtual service");
    }
}
