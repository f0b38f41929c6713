using Weft.Api.GoCompat;

namespace Weft.Api.Tests.GoCompat;

/// <summary>Go's net/netip: which addresses and prefixes ParseAddr and ParsePrefix accept, and their error texts.</summary>
public sealed class GoNetipTests
{
    [Theory]
    [InlineData("0.0.0.0", null)]
    [InlineData("255.255.255.255", null)]
    [InlineData("::", null)]
    [InlineData("::1", null)]
    [InlineData("1::", null)]
    [InlineData("1:2:3:4:5:6:7:8", null)]
    [InlineData("::ffff:1.2.3.4", null)]
    [InlineData("1:2:3:4:5:6:1.2.3.4", null)]
    [InlineData("fe80::1%eth0", null)]
    [InlineData("", "ParseAddr(\"\"): unable to parse IP")]
    [InlineData("1", "ParseAddr(\"1\"): unable to parse IP")]
    [InlineData("%eth0", "ParseAddr(\"%eth0\"): missing IPv6 address")]
    [InlineData("1.2.3.4.5", "ParseAddr(\"1.2.3.4.5\"): IPv4 address too long")]
    [InlineData("1.2..4", "ParseAddr(\"1.2..4\"): IPv4 field must have at least one digit (at \".4\")")]
    [InlineData("1.2.3.4%eth0", "ParseAddr(\"1.2.3.4%eth0\"): unexpected character (at \"%eth0\")")]
    [InlineData("1:2:3:4:5:6:7:8:9", "ParseAddr(\"1:2:3:4:5:6:7:8:9\"): trailing garbage after address (at \"9\")")]
    [InlineData("1::2::3", "ParseAddr(\"1::2::3\"): multiple :: in address (at \":3\")")]
    [InlineData("12345::", "ParseAddr(\"12345::\"): each group must have 4 or less digits (at \"12345::\")")]
    [InlineData("1:2:3:4:5:6:7", "ParseAddr(\"1:2:3:4:5:6:7\"): address string too short")]
    [InlineData("1:2:3:4::5:6:7:8", "ParseAddr(\"1:2:3:4::5:6:7:8\"): the :: must expand to at least one field of zeros")]
    [InlineData("1:2:3:4:1.2.3.4", "ParseAddr(\"1:2:3:4:1.2.3.4\"): embedded IPv4 address must replace the final 2 fields of the address (at \"1.2.3.4\")")]
    [InlineData("fe80::1%", "ParseAddr(\"fe80::1%\"): zone must be a non-empty string")]
    [InlineData("1:", "ParseAddr(\"1:\"): colon must be followed by more characters (at \":\")")]
    public void Address_errors(string text, string? error)
    {
        Assert.Equal(error, GoNetip.ParseAddr(text));
        Assert.Equal(error is null, GoNetip.IsValidAddress(text));
    }

    [Theory]
    [InlineData("1.2.3.4", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("::", true)]
    [InlineData("::1", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("fe80::1%eth0", true)]
    [InlineData("::ffff:1.2.3.4", true)]
    [InlineData("1:2:3:4:5:6:7:8", true)]
    [InlineData("1:2:3:4:5:6:1.2.3.4", true)]
    [InlineData("01.2.3.4", false)]
    [InlineData("1.2.3", false)]
    [InlineData("1.2.3.4.5", false)]
    [InlineData("256.1.1.1", false)]
    [InlineData("1.2.3.4%eth0", false)]
    [InlineData("fe80::1%", false)]
    [InlineData("1:2:3:4:5:6:7:8:9", false)]
    [InlineData("1::2::3", false)]
    [InlineData("12345::", false)]
    [InlineData("1:2:3:4:5:6:7::8", false)]
    [InlineData("1:2:3:4:5:1.2.3.4", false)]
    [InlineData("", false)]
    [InlineData("foo.bar", false)]
    [InlineData("1", false)]
    [InlineData("1::", true)]
    [InlineData("1.2.3.4 ", false)]
    [InlineData("1..2.3", false)]
    [InlineData("[::1]", false)]
    [InlineData("1:2:3:4:5:6:7", false)]
    [InlineData("google.com", false)]
    public void Addresses_as_netip_parses_them(string text, bool valid)
    {
        Assert.Equal(valid, GoNetip.IsValidAddress(text));
        Assert.Equal(valid, GoNetip.ParseAddr(text) is null);
    }

    [Theory]
    [InlineData("0.0.0.0/0", null)]
    [InlineData("::/0", null)]
    [InlineData("2001:db8::/128", null)]
    [InlineData("10.0.0.0", "netip.ParsePrefix(\"10.0.0.0\"): no '/'")]
    [InlineData("10.0.0.0/", "netip.ParsePrefix(\"10.0.0.0/\"): bad bits after slash: \"\"")]
    [InlineData("10.0.0.0/+8", "netip.ParsePrefix(\"10.0.0.0/+8\"): bad bits after slash: \"+8\"")]
    [InlineData("2001:db8::/129", "netip.ParsePrefix(\"2001:db8::/129\"): prefix length out of range")]
    [InlineData("x/8", "netip.ParsePrefix(\"x/8\"): ParseAddr(\"x\"): unable to parse IP")]
    public void Prefix_errors(string text, string? error)
    {
        Assert.Equal(error, GoNetip.ParsePrefix(text));
        Assert.Equal(error is null, GoNetip.IsValidPrefix(text));
    }

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("172.1.2.16/16", true)]
    [InlineData("0.0.0.0/0", true)]
    [InlineData("2001:db8::/128", true)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("10.0.0.0/", false)]
    [InlineData("10.0.0.0/+8", false)]
    [InlineData("10.0.0.0/08", false)]
    [InlineData("fe80::1%eth0/64", false)]
    [InlineData("2001:db8::/129", false)]
    public void Prefixes_as_netip_parses_them(string text, bool valid)
    {
        Assert.Equal(valid, GoNetip.IsValidPrefix(text));
        Assert.Equal(valid, GoNetip.ParsePrefix(text) is null);
    }
}
