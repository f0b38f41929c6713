using Weft.Api.GoCompat;

namespace Weft.Api.Tests.GoCompat;

/// <summary>Go's net/url: url.Parse and url.ParseRequestURI, their parts and their error texts.</summary>
public sealed class GoUrlTests
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
    [InlineData("http://a:1:2/", true, "parse \"http://a:1:2/\": invalid port \":1:2\" after host")]
    [InlineData("http://a:1:2/", false, null)]
    [InlineData("http://a:1:x/", false, "parse \"http://a:1:x/\": invalid port \":x\" after host")]
    [InlineData("http://é.com:x/", true, "parse \"http://é.com:x/\": invalid port \":x\" after host")]
    public void Strict_colons_choose_the_first_colon_of_a_host(string text, bool strict, string? error)
    {
        GoUrl.Parse(text, out var actual, strict);
        Assert.Equal(error, actual);
    }

    [Theory]
    [InlineData("http://example.com/%e9", null, true)]
    [InlineData("http://example.com/%", "parse \"http://example.com/%\": invalid URL escape \"%\"", false)]
    [InlineData("http://example.com/a%2", "parse \"http://example.com/a%2\": invalid URL escape \"%2\"", false)]
    [InlineData("http://example.com/é%zz", "parse \"http://example.com/é%zz\": invalid URL escape \"%zz\"", false)]
    [InlineData("http://example.com/%zé", "parse \"http://example.com/%zé\": invalid URL escape \"%z\\xc3\"", false)]
    [InlineData("http://example.com/é", null, true)]
    public void Escapes_are_checked_byte_by_byte(string text, string? error, bool valid)
    {
        Assert.Equal(valid, GoUrl.Parse(text, out var actual) is not null);
        Assert.Equal(error, actual);
    }
}
