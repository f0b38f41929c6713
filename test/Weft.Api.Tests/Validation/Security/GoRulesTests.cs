using Weft.Api.Validation.Rules;
using Weft.Api.Validation.Security;

namespace Weft.Api.Tests.Validation.Security;

/// <summary>The Go-faithful primitives the security validators use: netip, net/url, strconv and jwx's base64.</summary>
public sealed class GoRulesTests
{
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
