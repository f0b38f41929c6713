using Weft.Proxy.Http;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Snapshot.Routes;

namespace Weft.Proxy.Tests.Http;

public sealed class PathAndRedirectTests
{
    [Theory]
    [InlineData("/a/./b/../c", "/a/c")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/../../x", "/x")]
    [InlineData("/%61%62c", "/abc")] // unreserved characters are decoded
    [InlineData("/a%2fb", "/a%2Fb")] // escaped slashes are kept (KEEP_UNCHANGED), hex upper-cased
    [InlineData("/a%3fb", "/a%3Fb")] // other escapes are upper-cased
    [InlineData("/a\\b", "/a/b")]
    [InlineData("/a/../b?x=/../y", "/b?x=/../y")] // the query is left alone
    public void Normalizes_paths_as_Envoy_does(string target, string expected)
    {
        var (outcome, path) = PathNormalizer.Process(target, normalize: true, mergeSlashes: false, EscapedSlashes.KeepUnchanged);
        Assert.Equal(PathNormalizer.Outcome.Ok, outcome);
        Assert.Equal(expected, path);
    }

    [Fact]
    public void Merges_slashes_and_handles_escaped_slashes_when_asked()
    {
        Assert.Equal("/a/b/", PathNormalizer.Process("//a///b//", false, true, EscapedSlashes.KeepUnchanged).Path);
        Assert.Equal(PathNormalizer.Outcome.Reject, PathNormalizer.Process("/a%2Fb", true, false, EscapedSlashes.Reject).Outcome);
        Assert.Equal((PathNormalizer.Outcome.Ok, "/a/b"), PathNormalizer.Process("/a%2Fb", true, false, EscapedSlashes.UnescapeAndForward));
        Assert.Equal((PathNormalizer.Outcome.Redirect, "/a/b"), PathNormalizer.Process("/a%2Fb", true, false, EscapedSlashes.UnescapeAndRedirect));
        Assert.Equal(PathNormalizer.Outcome.Invalid, PathNormalizer.Process("*", true, false, EscapedSlashes.KeepUnchanged).Outcome);
    }

    [Theory]
    [InlineData("https", "", 0u, null, null, false, "a.example:80", "/x?q", "https://a.example/x?q")] // the old scheme's default port goes
    [InlineData("https", "", 0u, null, null, false, "a.example:8080", "/x", "https://a.example:8080/x")]
    [InlineData(null, "b.example", 0u, null, null, false, "a.example:8080", "/x", "http://b.example/x")]
    [InlineData(null, "", 9000u, null, null, false, "a.example:8080", "/x", "http://a.example:9000/x")]
    [InlineData(null, "", 0u, "/new", null, false, "a.example", "/old?q=1", "http://a.example/new?q=1")]
    [InlineData(null, "", 0u, "/new?own=1", null, true, "a.example", "/old?q=1", "http://a.example/new?own=1")]
    [InlineData(null, "", 0u, null, "/v2", true, "a.example", "/v1/x?q=1", "http://a.example/v2/x")]
    public void Builds_redirect_locations(string? scheme, string host, uint port, string? path, string? prefix, bool stripQuery, string requestHost, string requestPath, string expected)
    {
        var redirect = new RedirectReply { Scheme = scheme, Host = host, Port = port, Path = path, PrefixRewrite = prefix, StripQuery = stripQuery };
        var matched = RouteRequest.PathWithoutQuery(requestPath).StartsWith("/v1", StringComparison.Ordinal) ? 3 : 0;
        Assert.Equal(expected, RedirectLocation.Build(redirect, "http", requestHost, requestPath, matched));
    }
}
