using static Weft.Api.Tests.Validation.Traffic.TrafficValidation;

namespace Weft.Api.Tests.Validation.Traffic;

/// <summary>DestinationRule rules beyond the corpus cases.</summary>
public sealed class DestinationRuleRulesTests
{
    private static string Indent(string text, int spaces)
    {
        var pad = new string(' ', spaces);
        return string.Join('\n', text.Split('\n').Select(l => l.Length == 0 ? l : pad + l));
    }

    // A DestinationRule for host "reviews" with the given trafficPolicy fields.
    private static Outcome Policy(string policyFields) => DestinationRule($"""
          host: reviews
          trafficPolicy:
        {Indent(policyFields, 4)}
        """);

    public static TheoryData<string, string, string> PolicyErrors => new()
    {
        { "tunnel:\n  targetHost: a.b\n  targetPort: 80\nproxyProtocol: {}", "spec.trafficPolicy", "tunnel and proxyProtocol must not be set together" },
        { "connectionPool:\n  http:\n    http1MaxPendingRequests: -1", "spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests", "http1 max pending requests must be non-negative" },
        { "connectionPool:\n  http:\n    http2MaxRequests: -1", "spec.trafficPolicy.connectionPool.http.http2MaxRequests", "http2 max requests must be non-negative" },
        { "connectionPool:\n  http:\n    maxRequestsPerConnection: -1", "spec.trafficPolicy.connectionPool.http.maxRequestsPerConnection", "max requests per connection must be non-negative" },
        { "connectionPool:\n  http:\n    maxRetries: -1", "spec.trafficPolicy.connectionPool.http.maxRetries", "max retries must be non-negative" },
        { "connectionPool:\n  http:\n    maxConcurrentStreams: -1", "spec.trafficPolicy.connectionPool.http.maxConcurrentStreams", "max concurrent streams must be non-negative" },
        { "connectionPool:\n  http:\n    idleTimeout: 0.1ms", "spec.trafficPolicy.connectionPool.http.idleTimeout", "duration must be greater than 1ms" },
        { "connectionPool:\n  http:\n    h2UpgradePolicy: UPGRADE\n    useClientProtocol: true", "spec.trafficPolicy.connectionPool.http.useClientProtocol", "use client protocol must not be true when H2UpgradePolicy is UPGRADE" },
        { "connectionPool:\n  http:\n    http2KeepAlive:\n      interval: 10s", "spec.trafficPolicy.connectionPool.http.http2KeepAlive.timeout", "http2 keepalive timeout is required" },
        { "connectionPool:\n  http:\n    http2KeepAlive:\n      timeout: 10s", "spec.trafficPolicy.connectionPool.http.http2KeepAlive.interval", "http2 keepalive interval is required" },
        { "connectionPool:\n  tcp:\n    maxConnections: -1", "spec.trafficPolicy.connectionPool.tcp.maxConnections", "max connections must be non-negative" },
        { "connectionPool:\n  tcp:\n    connectTimeout: 1.5ms", "spec.trafficPolicy.connectionPool.tcp.connectTimeout", "only durations to ms precision are supported" },
        { "connectionPool:\n  tcp:\n    idleTimeout: 1.5ms", "spec.trafficPolicy.connectionPool.tcp.idleTimeout", "only durations to ms precision are supported" },
        { "connectionPool:\n  tcp:\n    tcpKeepalive:\n      time: 0s", "spec.trafficPolicy.connectionPool.tcp.tcpKeepalive.time", "duration must be greater than 1ms" },
        { "outlierDetection:\n  interval: 0s", "spec.trafficPolicy.outlierDetection.interval", "duration must be greater than 1ms" },
        { "outlierDetection:\n  baseEjectionTime: 1.5ms", "spec.trafficPolicy.outlierDetection.baseEjectionTime", "only durations to ms precision are supported" },
        { "outlierDetection:\n  minHealthPercent: 101", "spec.trafficPolicy.outlierDetection.minHealthPercent", "percentage 101 is not in range 0..100" },
        { "outlierDetection:\n  maxEjectionPercent: -1", "spec.trafficPolicy.outlierDetection.maxEjectionPercent", "percentage -1 is not in range 0..100" },
        { "loadBalancer:\n  consistentHash:\n    maglev:\n      tableSize: 0", "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize", "tableSize must be set for maglev" },
        { "loadBalancer:\n  consistentHash:\n    maglev:\n      tableSize: 5000011", "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize", "tableSize must be less than 5000011 for maglev" },
        { "loadBalancer:\n  consistentHash:\n    minimumRingSize: 1024\n    ringHash:\n      minimumRingSize: 1024", "spec.trafficPolicy.loadBalancer.consistentHash.minimumRingSize", "only one of MinimumRingSize or Maglev/Ringhash can be specified" },
        { "loadBalancer:\n  consistentHash:\n    httpCookie:\n      name: c\n      attributes:\n      - name: a\n      - name: a", "spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.attributes[1].name", "duplicate cookie attribute name: a" },
        { "loadBalancer:\n  consistentHash:\n    httpCookie:\n      name: c\n      attributes:\n      - value: x", "spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.attributes[0].name", "cookie attribute name cannot be empty" },
        { "loadBalancer:\n  consistentHash:\n    httpCookie:\n      ttl: 0s", "spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.name", "name required for HttpCookie" },
        { "loadBalancer:\n  localityLbSetting: {}\n  zoneAwareLbSetting: {}", "spec.trafficPolicy.loadBalancer", "only one of localityLbSetting and zoneAwareLbSetting can be set" },
        { "loadBalancer:\n  localityLbSetting:\n    distribute:\n    - from: a/*\n      to: {b/*: 100}\n    failover:\n    - from: a\n      to: b", "spec.trafficPolicy.loadBalancer.localityLbSetting", "can not simultaneously specify 'distribute' and 'failover'" },
        { "loadBalancer:\n  localityLbSetting:\n    distribute:\n    - from: a/*\n      to: {b/*: 60, c/*: 30}", "spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to", "total locality weight 90 != 100" },
        { "loadBalancer:\n  localityLbSetting:\n    distribute:\n    - from: a/*\n      to: {b/*: 0, c/*: 100}", "spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to[b/*]", "locality weight must be in range [1, 100]" },
        { "loadBalancer:\n  localityLbSetting:\n    distribute:\n    - from: a/*\n      to: {\"b/*/c\": 100}", "spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to", "locality b/*/c wildcard '*' number can not exceed 1 and must be in the end" },
        { "loadBalancer:\n  localityLbSetting:\n    distribute:\n    - from: a/*\n      to: {b/*: 100}\n    - from: a/z1\n      to: {b/*: 100}", "spec.trafficPolicy.loadBalancer.localityLbSetting.distribute", "locality a/z1 overlap with previous specified ones" },
        { "loadBalancer:\n  localityLbSetting:\n    distribute:\n    - from: a//c\n      to: {b: 100}", "spec.trafficPolicy.loadBalancer.localityLbSetting.distribute", "locality a//c must not contain empty region/zone/subzone info" },
        { "outlierDetection: {}\nloadBalancer:\n  localityLbSetting:\n    failover:\n    - from: us-east\n      to: us-east", "spec.trafficPolicy.loadBalancer.localityLbSetting.failover[0]", "locality lb failover settings must specify different regions" },
        { "outlierDetection: {}\nloadBalancer:\n  localityLbSetting:\n    failover:\n    - from: us-east/z1\n      to: us-west", "spec.trafficPolicy.loadBalancer.localityLbSetting.failover[0]", "locality lb failover only specify region" },
        { "outlierDetection: {}\nloadBalancer:\n  localityLbSetting:\n    failover:\n    - from: us-east\n      to: \"*\"", "spec.trafficPolicy.loadBalancer.localityLbSetting.failover[0]", "locality lb failover region should not contain '*' wildcard" },
        { "outlierDetection: {}\nloadBalancer:\n  localityLbSetting:\n    failover:\n    - from: a\n      to: b\n    failoverPriority: [topology.kubernetes.io/zone]", "spec.trafficPolicy.loadBalancer.localityLbSetting.failoverPriority[0]", "can not simultaneously set 'failover' and topology label 'topology.kubernetes.io/zone' in 'failover_priority'" },
        { "outlierDetection: {}\nloadBalancer:\n  zoneAwareLbSetting:\n    failoverPriority: [topology.istio.io/subzone]", "spec.trafficPolicy.loadBalancer.zoneAwareLbSetting.failoverPriority[0]", "'failover_priority' for zone aware lb must not use topology label 'topology.istio.io/subzone'" },
        { "outlierDetection: {}\nloadBalancer:\n  zoneAwareLbSetting:\n    failover:\n    - from: a/b\n      to: c", "spec.trafficPolicy.loadBalancer.zoneAwareLbSetting.failover[0]", "zone aware lb failover only specifies region" },
        { "loadBalancer:\n  warmup:\n    minimumPercent: 10", "spec.trafficPolicy.loadBalancer.warmup.duration", "duration is required" },
        { "loadBalancer:\n  warmup:\n    duration: 10s\n    minimumPercent: 101", "spec.trafficPolicy.loadBalancer.warmup.minimumPercent", "minimumPercent value should be less than or equal to 100" },
        { "loadBalancer:\n  warmup:\n    duration: 10s\n    aggression: 0", "spec.trafficPolicy.loadBalancer.warmup.aggression", "aggression should be greater than 0" },
        { "tls:\n  mode: MUTUAL", "spec.trafficPolicy.tls.clientCertificate", "client certificate required for mutual tls" },
        { "tls:\n  mode: MUTUAL\n  clientCertificate: c", "spec.trafficPolicy.tls.privateKey", "private key required for mutual tls" },
        { "tls:\n  mode: SIMPLE\n  credentialName: c\n  caCertificates: ca", "spec.trafficPolicy.tls.credentialName", "cannot specify client certificates or CA certificate or CA CRL If credentialName is set" },
        { "tls:\n  mode: SIMPLE\n  credentialName: configmap://other/ca", "spec.trafficPolicy.tls.credentialName", "invalid configmap:// credentialName: namespace must match the configuration namespace \"bar\"" },
        { "tls:\n  mode: SIMPLE\n  credentialName: configmap://ca", "spec.trafficPolicy.tls.credentialName", "invalid configmap:// credentialName: invalid resource name \"configmap://ca\". Expected namespace and name" },
        { "tls:\n  mode: SIMPLE\n  insecureSkipVerify: true\n  caCertificates: ca", "spec.trafficPolicy.tls.insecureSkipVerify", "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true" },
        { "portLevelSettings:\n- loadBalancer:\n    simple: LEAST_REQUEST", "spec.trafficPolicy.portLevelSettings[0].port", "portTrafficPolicy must have valid port" },
        { "portLevelSettings:\n- port: {number: 80}", "spec.trafficPolicy.portLevelSettings[0]", "port traffic policy must have at least one field" },
        { "portLevelSettings:\n- port: {number: 80}\n  connectionPool: {}", "spec.trafficPolicy.portLevelSettings[0].connectionPool", "connection pool must have at least one field" },
        { "tunnel:\n  protocol: GET\n  targetHost: a.b\n  targetPort: 80", "spec.trafficPolicy.tunnel.protocol", "tunnel protocol must be \"CONNECT\" or \"POST\"" },
        { "tunnel:\n  targetHost: \"a b\"\n  targetPort: 80", "spec.trafficPolicy.tunnel.targetHost", "tunnel target host must be valid FQDN or IP address: domain name \"a b\" invalid (label \"a b\" invalid); a b is not a valid IP" },
        { "tunnel:\n  targetHost: a.b", "spec.trafficPolicy.tunnel.targetPort", "tunnel target port is invalid: port number 0 must be in the range 1..65535" },
        { "proxyProtocol:\n  version: V3", "spec.trafficPolicy.proxyProtocol.version", "proxy protocol version is invalid: V3" },
    };

    [Theory]
    [MemberData(nameof(PolicyErrors))]
    public void Traffic_policy_errors(string policyFields, string path, string message) => AssertError(Policy(policyFields), path, message);

    public static TheoryData<string> ValidPolicies => new()
    {
        "connectionPool:\n  tcp:\n    idleTimeout: 0s\n    maxConnections: 0",
        "connectionPool:\n  http:\n    h2UpgradePolicy: UPGRADE\n    http2KeepAlive:\n      interval: 10s\n      timeout: 3s",
        "loadBalancer:\n  consistentHash:\n    maglev:\n      tableSize: 65537",
        "loadBalancer:\n  consistentHash:\n    httpCookie:\n      name: session\n      ttl: 0s\n      attributes:\n      - name: SameSite\n        value: Strict",
        "outlierDetection:\n  consecutive5xxErrors: 5\nloadBalancer:\n  localityLbSetting:\n    enabled: true\n    failover:\n    - from: us-east\n      to: us-west\n    failoverPriority: [topology.istio.io/network]",
        "loadBalancer:\n  localityLbSetting:\n    distribute:\n    - from: us-west/zone1/*\n      to:\n        us-west/zone1/*: 80\n        us-west/zone2/*: 20",
        "loadBalancer:\n  warmup:\n    duration: 30s\n    minimumPercent: 10\n    aggression: 1.5",
        "tls:\n  mode: SIMPLE\n  credentialName: configmap://bar/ca",
        "tls:\n  mode: ISTIO_MUTUAL",
        "tunnel:\n  protocol: POST\n  targetHost: 10.0.0.1\n  targetPort: 8443",
        "proxyProtocol:\n  version: V2",
        "retryBudget:\n  percent: 20",
        "portLevelSettings:\n- port: {number: 80}\n  loadBalancer:\n    simple: LEAST_REQUEST",
    };

    [Theory]
    [MemberData(nameof(ValidPolicies))]
    public void Valid_traffic_policies(string policyFields) => AssertClean(Policy(policyFields));

    [Fact]
    public void Failover_without_outlier_detection_warns()
    {
        var outcome = Policy("loadBalancer:\n  localityLbSetting:\n    failover:\n    - from: us-east\n      to: us-west");
        Assert.True(outcome.Valid, outcome.ToString());
        AssertWarning(outcome, "spec.trafficPolicy.loadBalancer.localityLbSetting", "outlier detection policy must be provided for failover");
    }

    [Fact]
    public void Deprecated_minimum_ring_size_warns()
    {
        var outcome = Policy("loadBalancer:\n  consistentHash:\n    useSourceIp: true\n    minimumRingSize: 1024");
        Assert.True(outcome.Valid, outcome.ToString());
        AssertWarning(outcome, "spec.trafficPolicy.loadBalancer.consistentHash.minimumRingSize", "consistent hash MinimumRingSize is deprecated");
    }

    [Fact]
    public void Empty_traffic_policy_is_an_error_at_every_level()
    {
        var outcome = DestinationRule("""
              host: reviews
              trafficPolicy: {}
              subsets:
              - name: v1
                labels: {version: v1}
                trafficPolicy: {}
            """);
        AssertError(outcome, "spec.trafficPolicy", "traffic policy must have at least one field");
        AssertError(outcome, "spec.subsets[0].trafficPolicy", "traffic policy must have at least one field");
    }

    [Fact]
    public void Host_and_subsets()
    {
        var outcome = DestinationRule("""
              host: 10.0.0.1
              subsets:
              - name: v1
                labels: {"version!": v1}
              - name: v1
              - name: V_2
                labels: {version: "v 2"}
            """);
        AssertError(outcome, "spec.host", "domain name \"0.0.1\" invalid (top level domain \"1\" cannot be all-numeric)");
        AssertError(outcome, "spec.subsets[0].labels[version!]", "invalid tag key: \"version!\"");
        AssertError(outcome, "spec.subsets[1].name", "duplicate subset names: v1");
        AssertError(outcome, "spec.subsets[2].name", "subset name is invalid: V_2");
        AssertError(outcome, "spec.subsets[2].labels[version]", "invalid tag value: \"v 2\"");

        AssertClean(DestinationRule("  host: '*.example.com'\n  subsets:\n  - name: v1\n"));
    }

    [Fact]
    public void Workload_selector_rules()
    {
        var outcome = DestinationRule("""
              host: reviews
              exportTo: [other]
              workloadSelector:
                matchLabels:
                  app: "*"
            """);
        AssertError(outcome, "spec.exportTo", "destination rule with workload selector cannot have exportTo beyond current namespace");
        AssertError(outcome, "spec.workloadSelector.matchLabels[app]", "wildcard is not supported in selector: \"app=*\"");

        AssertError(DestinationRule("""
              host: reviews
              exportTo: [".", other]
              workloadSelector:
                matchLabels: {app: reviews}
            """), "spec.exportTo", "destination rule with workload selector cannot have multiple entries in exportTo");

        AssertError(DestinationRule("""
              host: reviews
              workloadSelector:
                matchLabels: {"": reviews}
            """), "spec.workloadSelector.matchLabels[]", "empty key is not supported in selector: \"=reviews\"");

        AssertClean(DestinationRule("""
              host: reviews
              exportTo: [bar]
              workloadSelector:
                matchLabels: {app: reviews}
            """));
    }

    [Fact]
    public void Configmap_credentials_compare_with_istioctls_default_namespace()
    {
        var outcome = Run("""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: r
            spec:
              host: reviews
              trafficPolicy:
                tls:
                  mode: SIMPLE
                  credentialName: configmap://default/ca
            """);
        AssertClean(outcome);
    }
}
