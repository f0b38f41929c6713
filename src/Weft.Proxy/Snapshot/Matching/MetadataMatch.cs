using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Proxy.Snapshot.Matching;

/// <summary>
/// A route's <c>dynamic_metadata</c> matcher. Dynamic metadata is written by filters this proxy does not run yet (JWT
/// authentication writes the claims Istio routes on), so it is always empty here and a matcher is judged against a
/// missing value, as Envoy would judge it: only <c>present_match: false</c> (or an <c>or_match</c> holding one) matches
/// a missing value, and <c>invert</c> flips the answer.
/// </summary>
internal sealed class MetadataMatch(bool result)
{
    public static MetadataMatch Compile(MetadataMatcher matcher) => new(MatchesMissing(matcher.Value) != matcher.Invert);

    public bool Matches() => result;

    private static bool MatchesMissing(ValueMatcher? value) => value?.MatchPatternCase switch
    {
        ValueMatcher.MatchPatternOneofCase.PresentMatch => !value.PresentMatch,
        ValueMatcher.MatchPatternOneofCase.OrMatch => value.OrMatch.ValueMatchers.Any(MatchesMissing),
        _ => false,
    };
}
