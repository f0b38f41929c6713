using Weft.Api.Schema;
using Weft.Api.Schema.Cel;
using static Weft.Api.Tests.Schema.Cel.CelTestSupport;

namespace Weft.Api.Tests.Schema.Cel;

/// <summary>What a user observes: Passed, Failed or Error for a rule applied to a YAML value.</summary>
public sealed class CelRuleEvaluatorTests
{
    [Theory]
    [InlineData("0.5ms", "Failed")]
    [InlineData("1ms", "Passed")]
    [InlineData("1h", "Passed")]
    [InlineData("1h2m3.5s", "Passed")]
    [InlineData("300ms", "Passed")]
    [InlineData("1000us", "Passed")]
    [InlineData("999us", "Failed")]
    [InlineData("1us", "Failed")]
    [InlineData("1µs", "Failed")]
    [InlineData("1μs", "Failed")]
    [InlineData("1000000ns", "Passed")]
    [InlineData("-1s", "Failed")]
    [InlineData("+5s", "Passed")]
    [InlineData(".5s", "Passed")]
    [InlineData("5.s", "Passed")]
    [InlineData("'0'", "Failed")]
    [InlineData("bogus", "Error: type conversion error from 'string' to 'google.protobuf.Duration'")]
    [InlineData("'1'", "Error: type conversion error")]
    [InlineData("1 s", "Error: type conversion error")]
    [InlineData("1d", "Error: type conversion error")]
    [InlineData("''", "Error: type conversion error")]
    [InlineData(".s", "Error: type conversion error")]
    [InlineData("2562048h", "Error: type conversion error")]
    [InlineData("2562047h", "Passed")]
    public void Minimum_duration_rule(string self, string expected) =>
        AssertOutcome(expected, Run("duration(self) >= duration('1ms')", self), self);

    [Theory]
    [InlineData("1", "Passed")]
    [InlineData("65535", "Passed")]
    [InlineData("0", "Failed")]
    [InlineData("65536", "Failed")]
    [InlineData("-1", "Failed")]
    [InlineData("80.0", "Passed")]
    [InlineData("'80'", "Error: no such overload")]
    public void Port_range_rule(string self, string expected) =>
        AssertOutcome(expected, Run("0 < self && self <= 65535", self), self);

    [Theory]
    [InlineData("{'80': {mode: STRICT}}", "Passed")]
    [InlineData("{80: {mode: STRICT}, 443: {mode: DISABLE}}", "Passed")]
    [InlineData("{'0': {mode: STRICT}}", "Failed")]
    [InlineData("{'65536': {mode: STRICT}}", "Failed")]
    [InlineData("{'acd': {mode: STRICT}}", "Error: type conversion error from 'string' to 'int'")]
    [InlineData("{'80': {}, 'x': {}}", "Error: type conversion error")]

    // A false element decides all() even when another element is an error.
    [InlineData("{'x': {}, '0': {}}", "Failed")]
    [InlineData("{'+80': {}}", "Passed")]
    [InlineData("{' 80': {}}", "Error: type conversion error")]
    public void Port_map_keys_rule(string self, string expected) =>
        AssertOutcome(expected, Run("self.all(key, 0 < int(key) && int(key) <= 65535)", self), self);

    [Theory]
    [InlineData("[{number: 80}, {number: 443}]", "Passed")]
    [InlineData("[{number: 80}, {number: 80}]", "Failed")]
    [InlineData("[{number: 80}, {number: 443}, {number: 80}]", "Failed")]
    [InlineData("[]", "Passed")]
    [InlineData("[{number: 80}]", "Passed")]
    [InlineData("[{number: 80}, {name: http}]", "Error: no such key: number")]
    public void Unique_port_numbers_rule(string self, string expected) =>
        AssertOutcome(expected, Run("self.all(l1, self.exists_one(l2, l1.number == l2.number))", self), self);

    [Theory]
    [InlineData("unix:///var/run/app.sock", "Passed")]
    [InlineData("unix://@abstract", "Passed")]
    [InlineData("unix://relative", "Failed")]
    [InlineData("'unix://'", "Error: index out of range: 8")]
    [InlineData("10.0.0.1", "Passed")]
    public void Unix_socket_must_be_absolute_or_abstract(string self, string expected) =>
        AssertOutcome(expected, Run("self.startsWith(\"unix://\") ? (self.substring(7, 8) == \"/\" || self.substring(7, 8) == \"@\") : true", self), self);

    [Theory]
    [InlineData("unix:///dir/", "Failed")]
    [InlineData("unix:///dir/sock", "Passed")]
    [InlineData("example.com/", "Passed")]
    public void Unix_socket_must_not_be_a_directory(string self, string expected) =>
        AssertOutcome(expected, Run("self.startsWith(\"unix://\") ? !self.endsWith(\"/\") : true", self), self);

    [Theory]
    [InlineData("{address: 'unix://@foo', ports: {http: 80}}", "Failed")]
    [InlineData("{address: 'unix://@foo'}", "Passed")]
    [InlineData("{address: 1.1.1.1, ports: {http: 80}}", "Passed")]
    [InlineData("{ports: {http: 80}}", "Passed")]
    public void Unix_socket_may_not_have_ports(string self, string expected) =>
        AssertOutcome(expected, Run("(has(self.address) ? self.address : \"\").startsWith(\"unix://\") ? !has(self.ports) : true", self), self);

    [Theory]
    [InlineData("https://example.com/.well-known/jwks.json", "Passed")]
    [InlineData("http://example.com", "Passed")]
    [InlineData("HTTPS://EXAMPLE.COM", "Passed")]
    [InlineData("ftp://example.com", "Failed")]
    [InlineData("hTPp://example.com", "Failed")]
    [InlineData("example.com/jwks", "Error: URL parse error during conversion from string: parse \"example.com/jwks\": invalid URI for request")]
    [InlineData("/jwks", "Failed")]
    [InlineData("'http://[::1'", "Error: missing ']' in host")]
    [InlineData("'http://exa mple.com'", "Error: invalid character \" \" in host name")]
    [InlineData("'http://example.com:port'", "Error: invalid port \":port\" after host")]
    public void Jwks_uri_scheme_rule(string self, string expected) =>
        AssertOutcome(expected, Run("url(self).getScheme() in [\"http\", \"https\"]", self), self);

    [Theory]
    [InlineData("oci://ghcr.io/istio/wasm:1.0", "Passed")]
    [InlineData("https://example.com/filter.wasm", "Passed")]
    [InlineData("file:///opt/filter.wasm", "Passed")]
    [InlineData("ghcr.io/istio/wasm:1.0", "Passed")]
    [InlineData("ghcr.io/istio/wasm@sha256:0123", "Passed")]
    [InlineData("ftp://example.com/filter.wasm", "Failed")]

    // Go reads "localhost" as the scheme of an opaque URL, so Kubernetes rejects this one.
    [InlineData("localhost:5000/filter", "Failed")]
    [InlineData("'a b'", "Failed")]
    public void Wasm_plugin_url_rule(string self, string expected) =>
        AssertOutcome(
            expected,
            Run("isURL(self) ? (url(self).getScheme() in [\"\", \"http\", \"https\", \"oci\", \"file\"]) : (isURL(\"http://\" + self) &&\nurl(\"http://\" + self).getScheme() in [\"\", \"http\", \"https\", \"oci\", \"file\"])", self),
            self);

    [Theory]
    [InlineData("{app: web, my-label: x, 0: y}", "Passed")]
    [InlineData("{a.b: x}", "Failed")]
    [InlineData("{-bad: x}", "Failed")]
    [InlineData("{bad-: x}", "Failed")]
    [InlineData("{'': x}", "Failed")]
    [InlineData("{abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123: x}", "Failed")]
    [InlineData("{abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij12: x}", "Passed")]
    public void Label_name_rule(string self, string expected) =>
        AssertOutcome(
            expected,
            Run("self.all(key, size(key) < 63 && key.matches(\"^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$\"))", self),
            self);

    [Theory]
    [InlineData("{portLevelMtls: {'80': {mode: STRICT}}}", "Failed")]
    [InlineData("{portLevelMtls: {'80': {mode: STRICT}}, selector: {}}", "Failed")]
    [InlineData("{portLevelMtls: {'80': {mode: STRICT}}, selector: {matchLabels: {}}}", "Failed")]
    [InlineData("{portLevelMtls: {'80': {mode: STRICT}}, selector: {matchLabels: {app: web}}}", "Passed")]
    [InlineData("{mtls: {mode: STRICT}}", "Passed")]
    public void Port_level_mtls_requires_selector(string self, string expected) =>
        AssertOutcome(
            expected,
            Run("has(self.portLevelMtls) ? (((has(self.selector) && has(self.selector.matchLabels)) ? self.selector.matchLabels : {}).size() > 0) : true", self),
            self);

    [Theory]
    [InlineData("{addresses: [10.0.0.0/8], resolution: DNS}", "Failed")]
    [InlineData("{addresses: [10.0.0.0/8], resolution: STATIC}", "Passed")]
    [InlineData("{addresses: [10.0.0.0/8]}", "Passed")]
    [InlineData("{addresses: [10.0.0.1], resolution: DNS}", "Passed")]
    [InlineData("{resolution: DNS}", "Passed")]
    public void Cidr_addresses_need_static_resolution(string self, string expected) =>
        AssertOutcome(
            expected,
            Run("!((has(self.addresses) ? self.addresses : []).exists(k, k.contains(\"/\")) && !((has(self.resolution) ? self.resolution : \"NONE\") in [\"STATIC\", \"NONE\"]))", self),
            self);

    [Theory]
    [InlineData("{}", "Passed")]
    [InlineData("{selector: {}}", "Passed")]
    [InlineData("{selector: {}, targetRef: {}}", "Failed")]
    [InlineData("{selector: {}, targetRef: {}, targetRefs: []}", "Failed")]
    public void At_most_one_of(string self, string expected) =>
        AssertOutcome(expected, Run("(has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1", self), self);

    [Theory]
    [InlineData("{operation: UPSERT, value: x}", "Passed")]
    [InlineData("{operation: UPSERT, value: ''}", "Failed")]
    [InlineData("{operation: UPSERT}", "Error: no such key: value")]
    [InlineData("{operation: REMOVE}", "Passed")]
    public void Upsert_needs_a_value(string self, string expected) =>
        AssertOutcome(expected, Run("((has(self.operation) ? self.operation : \"\") == \"UPSERT\") ? (self.value != \"\") : true", self), self);

    [Theory]
    [InlineData("{wasm: {}}", "Passed")]
    [InlineData("{lua: {}}", "Passed")]
    [InlineData("{wasm: {}, lua: {}}", "Failed")]
    [InlineData("{}", "Failed")]
    public void Exactly_one_of_wasm_or_lua(string self, string expected) =>
        AssertOutcome(expected, Run("has(self.wasm) != has(self.lua)", self), self);

    [Theory]
    [InlineData("{context: WAYPOINT, waypoint: {}}", "Passed")]
    [InlineData("{context: SIDECAR_INBOUND, waypoint: {}}", "Failed")]
    [InlineData("{waypoint: {}}", "Failed")]
    [InlineData("{}", "Passed")]
    public void Waypoint_match_only_for_waypoint_context(string self, string expected) =>
        AssertOutcome(
            expected,
            Run("has(self.context) ? ((self.context == \"WAYPOINT\") ? has(self.waypoint) : !has(self.waypoint)) : !has(self.waypoint)", self),
            self);

    [Theory]
    [InlineData("foo", "Passed")]
    [InlineData("'*.foo'", "Failed")]
    public void No_wildcards(string self, string expected) => AssertOutcome(expected, Run("!self.contains(\"*\")", self), self);

    [Theory]
    [InlineData("''", "Passed")]
    [InlineData("HTTPS", "Passed")]
    [InlineData("https", "Failed")]
    public void Enumerated_string(string self, string expected) => AssertOutcome(expected, Run("self in [\"\", \"HTTP\", \"HTTPS\"]", self), self);

    [Fact]
    public void Rules_are_not_evaluated_on_null_values_as_in_kubernetes() =>
        AssertOutcome("Passed", Run("self.size() > 5", "null"), "null");

    [Fact]
    public void A_rule_that_does_not_produce_a_bool_is_an_error() =>
        AssertOutcome("Error: not a bool", Run("self + 1", "1"), "self + 1");

    [Fact]
    public void A_rule_that_does_not_compile_is_an_error_naming_the_problem()
    {
        var outcome = Run("self.nope(", "{}");
        AssertOutcome("Error: compilation failed", outcome, "self.nope(");
    }

    [Fact]
    public void Evaluation_is_thread_safe()
    {
        var evaluator = new CelRuleEvaluator();
        var rule = new CelRule("self.all(l1, self.exists_one(l2, l1.number == l2.number)) && self.all(p, duration(p.timeout) >= duration('1ms'))");
        var good = Yaml("[{number: 80, timeout: 1s}, {number: 81, timeout: 2ms}]");
        var bad = Yaml("[{number: 80, timeout: 1s}, {number: 80, timeout: 2ms}]");
        var outcomes = new CelOutcome[2000];
        Parallel.For(0, outcomes.Length, i => outcomes[i] = evaluator.Evaluate(rule, i % 2 == 0 ? good : bad));
        for (var i = 0; i < outcomes.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? CelOutcomeKind.Passed : CelOutcomeKind.Failed, outcomes[i].Kind);
        }
    }

    [Fact]
    public void Compile_error_is_null_for_a_valid_rule_and_says_why_otherwise()
    {
        var evaluator = new CelRuleEvaluator();
        Assert.Null(evaluator.CompileError("self.size() == 0"));
        Assert.Contains("undeclared reference to 'frobnicate'", evaluator.CompileError("frobnicate(self)"), StringComparison.Ordinal);
    }
}
