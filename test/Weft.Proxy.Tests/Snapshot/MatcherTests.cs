using Weft.Proxy.Snapshot.Matching;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Proxy.Tests.Snapshot;

/// <summary>Header, query and path matchers with Envoy's semantics, as a table.</summary>
public sealed class MatcherTests
{
    private static readonly RouteRequest WithHeader = RouteRequest.For("/a?x=1&y=%20b&flag", headers: [("x-canary", "always"), ("x-multi", "a"), ("x-multi", "b")]);
    private static readonly RouteRequest Without = RouteRequest.For("/a");

    public static TheoryData<string, HeaderMatcher, bool, bool> Headers => new()
    {
        // what, matcher, matches a request with the header, matches one without
        { "exact", new HeaderMatcher { Name = "x-canary", StringMatch = new StringMatcher { Exact = "always" } }, true, false },
        { "exact, other value", new HeaderMatcher { Name = "x-canary", StringMatch = new StringMatcher { Exact = "never" } }, false, false },
        { "exact ignoring case", new HeaderMatcher { Name = "X-Canary", StringMatch = new StringMatcher { Exact = "ALWAYS", IgnoreCase = true } }, true, false },
        { "prefix", new HeaderMatcher { Name = "x-canary", StringMatch = new StringMatcher { Prefix = "al" } }, true, false },
        { "suffix", new HeaderMatcher { Name = "x-canary", StringMatch = new StringMatcher { Suffix = "ays" } }, true, false },
        { "contains", new HeaderMatcher { Name = "x-canary", StringMatch = new StringMatcher { Contains = "wa" } }, true, false },
        { "regex, whole value", new HeaderMatcher { Name = "x-canary", StringMatch = new StringMatcher { SafeRegex = new RegexMatcher { Regex = "al.*" } } }, true, false },
        { "regex, part only", new HeaderMatcher { Name = "x-canary", StringMatch = new StringMatcher { SafeRegex = new RegexMatcher { Regex = "al" } } }, false, false },
        { "repeated header joined by commas", new HeaderMatcher { Name = "x-multi", StringMatch = new StringMatcher { Exact = "a,b" } }, true, false },
        { "present", new HeaderMatcher { Name = "x-canary", PresentMatch = true }, true, false },
        { "absent (present_match false)", new HeaderMatcher { Name = "x-canary", PresentMatch = false }, false, true },
        { "no specifier means present", new HeaderMatcher { Name = "x-canary" }, true, false },
        { "inverted exact: a missing header still fails", new HeaderMatcher { Name = "x-canary", StringMatch = new StringMatcher { Exact = "never" }, InvertMatch = true }, true, false },
        { "inverted, missing treated as empty", new HeaderMatcher { Name = "x-canary", StringMatch = new StringMatcher { Exact = "always" }, InvertMatch = true, TreatMissingHeaderAsEmpty = true }, false, true },
        { "inverted present", new HeaderMatcher { Name = "x-canary", PresentMatch = true, InvertMatch = true }, false, true },
        { "method pseudo-header", new HeaderMatcher { Name = ":method", StringMatch = new StringMatcher { Exact = "GET" } }, true, true },
        { "authority pseudo-header", new HeaderMatcher { Name = ":authority", StringMatch = new StringMatcher { Exact = "example.com" } }, true, true },
        { "range", new HeaderMatcher { Name = "x-canary", RangeMatch = new Weft.Xds.Envoy.Type.V3.Int64Range { Start = 0, End = 10 } }, false, false },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void Header_matchers(string what, HeaderMatcher matcher, bool withHeader, bool without)
    {
        var compiled = HeaderMatch.Compile(matcher);
        Assert.True(withHeader == compiled.Matches(WithHeader), what + " (header present)");
        Assert.True(without == compiled.Matches(Without), what + " (header absent)");
    }

    [Theory]
    [InlineData("x", "1", true)]
    [InlineData("x", "2", false)]
    [InlineData("y", " b", true)] // values are percent-decoded
    [InlineData("z", "1", false)]
    public void Query_parameters_match_their_first_value(string name, string exact, bool expected) =>
        Assert.Equal(expected, QueryParameterMatch.Compile(new QueryParameterMatcher { Name = name, StringMatch = new StringMatcher { Exact = exact } }).Matches(WithHeader));

    [Fact]
    public void Query_presence()
    {
        Assert.True(QueryParameterMatch.Compile(new QueryParameterMatcher { Name = "flag", PresentMatch = true }).Matches(WithHeader));
        Assert.False(QueryParameterMatch.Compile(new QueryParameterMatcher { Name = "flag", PresentMatch = true }).Matches(Without));
    }

    [Theory]
    [InlineData("prefix", "/api", true, "/api/users", true)]
    [InlineData("prefix", "/api", true, "/apix", true)]
    [InlineData("prefix", "/api", true, "/API/users", false)]
    [InlineData("prefix", "/api", false, "/API/users", true)]
    [InlineData("path", "/api", true, "/api", true)]
    [InlineData("path", "/api", true, "/api/", false)]
    [InlineData("path", "/api", false, "/Api", true)]
    [InlineData("regex", "/api/[a-z]+", true, "/api/users", true)]
    [InlineData("regex", "/api/[a-z]+", true, "/api/Users", false)]
    [InlineData("separated", "/api", true, "/api", true)]
    [InlineData("separated", "/api", true, "/api/x", true)]
    [InlineData("separated", "/api", true, "/apix", false)]
    public void Paths(string kind, string value, bool caseSensitive, string path, bool expected)
    {
        var match = new RouteMatch { CaseSensitive = caseSensitive };
        switch (kind)
        {
            case "prefix": match.Prefix = value; break;
            case "path": match.Path = value; break;
            case "regex": match.SafeRegex = new RegexMatcher { Regex = value }; break;
            default: match.PathSeparatedPrefix = value; break;
        }

        // The query never takes part in path matching.
        Assert.Equal(expected, RouteCondition.Compile(match).Matches(RouteRequest.For(path + "?q=/api"), 0));
    }

    [Fact]
    public void Runtime_fraction_uses_the_requests_random_value()
    {
        var condition = RouteCondition.Compile(new RouteMatch
        {
            Prefix = "/",
            RuntimeFraction = new Weft.Xds.Envoy.Config.Core.V3.RuntimeFractionalPercent { DefaultValue = new Weft.Xds.Envoy.Type.V3.FractionalPercent { Numerator = 25 } },
        });
        var request = RouteRequest.For("/");
        Assert.Equal(25, Enumerable.Range(0, 100).Count(r => condition.Matches(request, (ulong)r)));
    }

    [Fact]
    public void Dynamic_metadata_matchers_read_the_validated_claims_and_a_missing_value_matches_only_absence()
    {
        var claim = new MetadataMatcher { Filter = "envoy.filters.http.jwt_authn", Value = new ValueMatcher { StringMatch = new StringMatcher { Exact = "admin" } } };
        claim.Path.Add(new MetadataMatcher.Types.PathSegment { Key = "payload" });
        claim.Path.Add(new MetadataMatcher.Types.PathSegment { Key = "group" });
        Assert.False(MetadataMatch.Compile(claim).Matches(null));

        var metadata = new Weft.Proxy.Authorization.DynamicMetadata();
        var payload = new Google.Protobuf.WellKnownTypes.Struct();
        payload.Fields["group"] = Google.Protobuf.WellKnownTypes.Value.ForString("admin");
        metadata.SetJwtPayload(payload);
        Assert.True(MetadataMatch.Compile(claim).Matches(metadata));
        payload.Fields["group"] = Google.Protobuf.WellKnownTypes.Value.ForString("dev");
        Assert.False(MetadataMatch.Compile(claim).Matches(metadata));

        claim.Invert = true;
        Assert.True(MetadataMatch.Compile(claim).Matches(null));
        Assert.True(MetadataMatch.Compile(claim).Matches(metadata));

        var request = RouteRequest.For("/");
        request.Metadata = metadata;
        claim.Invert = false;
        payload.Fields["group"] = Google.Protobuf.WellKnownTypes.Value.ForString("admin");
        var match = new RouteMatch { Prefix = "/" };
        match.DynamicMetadata.Add(claim);
        Assert.True(RouteCondition.Compile(match).Matches(request, 0));
        Assert.False(RouteCondition.Compile(match).Matches(RouteRequest.For("/"), 0));
    }
}
