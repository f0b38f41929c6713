using Weft.Proxy.Authorization;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Proxy.Snapshot.Matching;

/// <summary>
/// A route's <c>dynamic_metadata</c> matcher, judged on what earlier filters wrote for the request (jwt_authn writes the
/// claims Istio routes on, <c>@request.auth.claims</c>). A missing value is judged as Envoy judges it: only
/// <c>present_match: false</c> (or an <c>or_match</c> holding one) matches it, and <c>invert</c> flips the answer.
/// </summary>
internal sealed class MetadataMatch(MetadataValueMatch value, string filter, string[] path, bool whenMissing)
{
    public static MetadataMatch Compile(MetadataMatcher matcher) => new(
        MetadataValueMatch.Compile(matcher), matcher.Filter, matcher.Path.Select(p => p.Key).ToArray(), MatchesMissing(matcher.Value) != matcher.Invert);

    public bool Matches(DynamicMetadata? metadata) => metadata?.Find(filter, path) is null ? whenMissing : value.Matches(metadata);

    private static bool MatchesMissing(ValueMatcher? value) => value?.MatchPatternCase switch
    {
        ValueMatcher.MatchPatternOneofCase.PresentMatch => !value.PresentMatch,
        ValueMatcher.MatchPatternOneofCase.OrMatch => value.OrMatch.ValueMatchers.Any(MatchesMissing),
        _ => false,
    };
}
