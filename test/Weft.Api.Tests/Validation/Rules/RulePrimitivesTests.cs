using Weft.Api.Validation.Rules;

namespace Weft.Api.Tests.Validation.Rules;

/// <summary>The shared primitives checked against Go's behaviour (durations, DNS names, IPs, labels, hosts).</summary>
public sealed class RulePrimitivesTests
{
    [Theory]
    [InlineData("1ms", null)]
    [InlineData("10s", null)]
    [InlineData("0.5ms", "duration must be greater than 1ms")]
    [InlineData("0s", "duration must be greater than 1ms")]
    [InlineData("-1s", "duration must be greater than 1ms")]
    [InlineData("1.5ms", "only durations to ms precision are supported")]
    [InlineData("2.000000005s", "only durations to ms precision are supported")]
    [InlineData("1d", "bad Duration: time: unknown unit \"d\" in duration \"1d\"")]
    public void Istio_duration_rule(string text, string? message) => Assert.Equal(message, Durations.Validate(text));

    [Theory]
    [InlineData("foo.bar", null)]
    [InlineData("istio.io.", null)]
    [InlineData("*.foo.bar", null)]
    [InlineData("*-foo.bar", null)]
    [InlineData("*", null)]
    [InlineData("foo.99999999999999999999", null)]
    [InlineData("", "empty domain name not allowed")]
    // Like Istio, a bad label after the first names only the rest of the domain.
    [InlineData("1.2.3.4", "domain name \"2.3.4\" invalid (top level domain \"4\" cannot be all-numeric)")]
    [InlineData("1234", null)]
    [InlineData("foo.-1", "domain name \"-1\" invalid (top level domain \"-1\" cannot be all-numeric)")]
    [InlineData("foo.*.bar", "domain name \"*.bar\" invalid (label \"*\" invalid)")]
    [InlineData("foo.ba!r", "domain name \"ba!r\" invalid (label \"ba!r\" invalid)")]
    [InlineData("foo\n", "domain name \"foo\\n\" invalid (label \"foo\\n\" invalid)")]
    [InlineData("foo.bar\n", "domain name \"bar\\n\" invalid (label \"bar\\n\" invalid)")]
    public void Wildcard_domains(string domain, string? message) => Assert.Equal(message, DnsNames.ValidateWildcardDomain(domain));

    [Fact]
    public void Domain_length_counts_utf8_bytes()
    {
        var name = new string('a', 60) + "." + new string('b', 60) + "." + new string('c', 60) + "." + new string('d', 60) + ".éééééé";
        Assert.Equal(250, name.Length);
        Assert.Contains("too long (max 255)", DnsNames.ValidateFqdn(name), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.0/8", null)]
    [InlineData("2001:db8::/32", null)]
    [InlineData("1.2.3.4", null)]
    [InlineData("10.0.0.0/33", "10.0.0.0/33 is not a valid CIDR block")]
    [InlineData("10.0.0.0/08", "10.0.0.0/08 is not a valid CIDR block")]
    [InlineData("fe80::%eth0/64", "fe80::%eth0/64 is not a valid CIDR block")]
    [InlineData("10.0.0.0/8/8", "10.0.0.0/8/8 is not a valid IP")]
    [InlineData("foo", "foo is not a valid IP")]
    public void Subnets(string text, string? message) => Assert.Equal(message, IpAddresses.ValidateSubnet(text));

    [Theory]
    [InlineData("foo.com", "foo.com", true)]
    [InlineData("foo.com", "bar.com", false)]
    [InlineData("*.com", "foo.com", true)]
    [InlineData("bar.com", "*.com", true)]
    [InlineData("*.foo.com", "foo.com", false)]
    [InlineData("*", "foo.com", true)]
    [InlineData("*", "*.com", true)]
    [InlineData("*.foo.bar", "*.bar", true)]
    public void Host_matching(string a, string b, bool matches) => Assert.Equal(matches, HostNames.Matches(a, b));

    [Theory]
    [InlineData("foo.com", "*.com", true)]
    [InlineData("*.com", "foo.com", false)]
    [InlineData("*.foo.com", "*.com", true)]
    [InlineData("*.com", "*.foo.com", false)]
    [InlineData("foo.com", "foo.com", true)]
    public void Host_subsets(string host, string other, bool subset) => Assert.Equal(subset, HostNames.SubsetOf(host, other));

    [Theory]
    [InlineData("foo\n")]
    [InlineData("foo.com\n")]
    public void Dns_names_reject_a_trailing_newline(string name) => Assert.NotNull(DnsNames.ValidateFqdn(name));
}
