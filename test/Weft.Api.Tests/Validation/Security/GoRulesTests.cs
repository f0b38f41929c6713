using Weft.Api.Validation.Rules;
using Weft.Api.Validation.Security;

namespace Weft.Api.Tests.Validation.Security;

/// <summary>The Go-faithful primitives the security validators use: netip, net/url, strconv and jwx's base64.</summary>
public sealed class GoRulesTests
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
    public void Addresses(string text, string? error)
    {
        Assert.Equal(error, GoNetip.ParseAddr(text));
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
    public void Prefixes(string text, string? error)
    {
        Assert.Equal(error, GoNetip.ParsePrefix(text));
    }

    [Theory]
    [InlineData("https://user:pass@example.com:8443/a/b?c=d#e", "https", "example.com:8443", "8443")]
    [InlineData("HTTP://Example.com", "http", "Example.com", "")]
    [InlineData("https://[fe80::1%25en0]:80/", "https", "[fe80::1%en0]:80", "80")]
    [InlineData("https://example.com:/", "https", "example.com:", "")]
    [InlineData("mailto:someone@example.com", "mailto", "", "")]
    [InlineData("/just/a/path", "", "", "")]
    [InlineData("*", "", "", "")]
    public void Urls(string text, string scheme, string host, string port)
    {
        var url = GoUrl.Parse(text, out var error);
        Assert.Null(error);
        Assert.Equal(scheme, url!.Scheme);
        Assert.Equal(host, url.Host);
        Assert.Equal(port, url.Port);
    }

    [Theory]
    [InlineData("http://a b.com/", "parse \"http://a b.com/\": invalid character \" \" in host name")]
    [InlineData("http://a\tb/", "parse \"http://a\\tb/\": net/url: invalid control character in URL")]
    [InlineData("a:b/c:d", null)]
    [InlineData("1a:b", "parse \"1a:b\": first path segment in URL cannot contain colon")]
    [InlineData("http://ü@example.com/", "parse \"http://ü@example.com/\": net/url: invalid userinfo")]
    [InlineData("http://%41.com/", "parse \"http://%41.com/\": invalid URL escape \"%41\"")]
    [InlineData("http://[::1]x/", "parse \"http://[::1]x/\": invalid port \"x\" after host")]
    [InlineData("http://a[::1]/", "parse \"http://a[::1]/\": invalid IP-literal")]
    [InlineData("http://[v1.x]/", "parse \"http://[v1.x]/\": invalid host: ParseAddr(\"v1.x\"): unexpected character (at \"v1.x\")")]
    [InlineData("http://example.com/a#%zz", "parse \"http://example.com/a#%zz\": invalid URL escape \"%zz\"")]
    public void Url_errors(string text, string? error)
    {
        GoUrl.Parse(text, out var actual);
        Assert.Equal(error, actual);
    }

    [Fact]
    public void Request_uris_must_be_absolute()
    {
        Assert.Equal("parse \"example.com/x\": invalid URI for request", GetRequestUriError("example.com/x"));
        Assert.Equal("parse \"\": empty url", GetRequestUriError(string.Empty));
        Assert.Null(GetRequestUriError("/x#not-a-fragment"));

        static string? GetRequestUriError(string text)
        {
            GoUrl.ParseRequestUri(text, out var error);
            return error;
        }
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("AQAB", null)]
    [InlineData("AQ", null)]
    [InlineData("AQA", null)]
    [InlineData("A", "illegal base64 data")]
    [InlineData("AQ==", null)]
    [InlineData("AQA=", null)]
    [InlineData("AQ=", "illegal base64 data")]
    [InlineData("A===", "illegal base64 data")]
    [InlineData("AQ==AQ==", "illegal base64 data")]
    [InlineData("a-_b", null)]
    [InlineData("a+/b", null)]
    [InlineData("a+_b", "illegal base64 data")]
    [InlineData("AQ\nAB", null)]
    [InlineData("AQ AB", "illegal base64 data")]
    public void Jwx_base64(string text, string? error)
    {
        Assert.Equal(error, Jwks.Base64Error(text));
    }
}
