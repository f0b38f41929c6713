using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// Envoy's header matcher (HeaderUtility::matchHeaders). A missing header matches only <c>present_match: false</c>, or
/// <c>present_match: true</c> inverted, unless <c>treat_missing_header_as_empty</c> makes it the empty string; otherwise
/// the value is matched and <c>invert_match</c> flips the result.
/// </summary>
internal static class HeaderMatching
{
    public static bool Matches(HeaderMatcher matcher, string? value)
    {
        // No specifier at all is Envoy's legacy presence check.
        var (isPresence, wantPresent) = matcher.HeaderMatchSpecifierCase switch
        {
            HeaderMatcher.HeaderMatchSpecifierOneofCase.PresentMatch => (true, matcher.PresentMatch),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.None => (true, true),
            _ => (false, false),
        };
        if (value is null && !matcher.TreatMissingHeaderAsEmpty)
        {
            return isPresence && wantPresent == matcher.InvertMatch;
        }

        value ??= string.Empty;
        var matched = matcher.HeaderMatchSpecifierCase switch
        {
            HeaderMatcher.HeaderMatchSpecifierOneofCase.ExactMatch => matcher.ExactMatch.Length == 0 || value == matcher.ExactMatch,
            HeaderMatcher.HeaderMatchSpecifierOneofCase.PrefixMatch => value.StartsWith(matcher.PrefixMatch, StringComparison.Ordinal),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.SuffixMatch => value.EndsWith(matcher.SuffixMatch, StringComparison.Ordinal),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.ContainsMatch => value.Contains(matcher.ContainsMatch, StringComparison.Ordinal),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.SafeRegexMatch => StringMatching.FullMatch(matcher.SafeRegexMatch, value),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.StringMatch => StringMatching.Matches(matcher.StringMatch, value),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.RangeMatch => long.TryParse(value, out var n) && n >= matcher.RangeMatch.Start && n < matcher.RangeMatch.End,
            _ => wantPresent,
        };
        return matched != matcher.InvertMatch;
    }
}
