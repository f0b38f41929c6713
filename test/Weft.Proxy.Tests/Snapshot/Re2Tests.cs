using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Xds;

namespace Weft.Proxy.Tests.Snapshot;

/// <summary>RE2 patterns as Envoy reads them, run by .NET.</summary>
public sealed class Re2Tests
{
    [Theory]
    [InlineData("/api/v[0-9]+/.*", "/api/v2/users", true)]
    [InlineData("/api/v[0-9]+/.*", "/api/v2", false)]
    [InlineData("/api", "/api/x", false)] // a full match, never a search
    [InlineData("a$", "a", true)]
    [InlineData("(?P<version>v[12])/x", "v1/x", true)]
    [InlineData("(?<version>v[12])/U", "v2/U", true)]
    [InlineData("[[:alpha:]]+[[:digit:]]", "abc1", true)]
    [InlineData("[[:alpha:]]+", "ab1", false)]
    [InlineData("\\d+", "123", true)]
    [InlineData("\\d+", "١٢٣", false)] // RE2's \d is ASCII only
    [InlineData("\\w+", "é", false)]
    [InlineData("\\x{41}b", "Ab", true)]
    [InlineData("\\Q.*\\E", ".*", true)]
    [InlineData("\\Q.*\\E", "ab", false)]
    [InlineData("\\pL+", "abc", true)]
    [InlineData("(?i)ABC", "abc", true)]
    [InlineData("[]a]+", "]a]", true)]
    public void Full_matches_as_RE2_does(string pattern, string input, bool expected) =>
        Assert.Equal(expected, Re2.FullMatch(pattern).IsMatch(input));

    [Theory]
    [InlineData("(?=a)a", "lookaround")]
    [InlineData("(a)\\1", "backreference")]
    [InlineData("(?U)a+", "ungreedy")]
    [InlineData("a\\C", "\\C")]
    [InlineData("(", "not valid RE2")]
    [InlineData("", "must not be empty")]
    [InlineData("[[:^alpha:]]", "negated POSIX class")]
    public void Refuses_what_RE2_refuses(string pattern, string reason)
    {
        var e = Assert.Throws<XdsRejectedException>(() => Re2.FullMatch(pattern));
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("^/v1/(.*)$", "/v2/\\1", "/v1/users", "/v2/users")]
    [InlineData("o", "0", "/foo/boo", "/f00/b00")] // every occurrence, as RE2::GlobalReplace
    [InlineData("/(a)", "\\\\\\1$", "/a", "\\a$")]
    public void Rewrites_with_RE2_substitutions(string pattern, string substitution, string input, string expected) =>
        Assert.Equal(expected, Re2.Search(pattern).Replace(input, Re2.Substitution(substitution)));
}
