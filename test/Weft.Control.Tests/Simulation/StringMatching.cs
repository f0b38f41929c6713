using System.Text.RegularExpressions;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// Envoy's string matchers. Regexes must match the whole value, as RE2's FullMatch does; they run on .NET's engine, which
/// agrees with RE2 on the patterns Istio configs use (no backreferences or lookaround exist in RE2).
/// </summary>
internal static class StringMatching
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    public static bool Matches(StringMatcher matcher, string value)
    {
        var comparison = matcher.IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return matcher.MatchPatternCase switch
        {
            StringMatcher.MatchPatternOneofCase.Exact => string.Equals(value, matcher.Exact, comparison),
            StringMatcher.MatchPatternOneofCase.Prefix => value.StartsWith(matcher.Prefix, comparison),
            StringMatcher.MatchPatternOneofCase.Suffix => value.EndsWith(matcher.Suffix, comparison),
            StringMatcher.MatchPatternOneofCase.Contains => value.Contains(matcher.Contains, comparison),
            StringMatcher.MatchPatternOneofCase.SafeRegex => FullMatch(matcher.SafeRegex, value),
            _ => false,
        };
    }

    public static bool FullMatch(RegexMatcher regex, string value) =>
        Regex.IsMatch(value, $"\\A(?:{regex.Regex})\\z", RegexOptions.CultureInvariant, Timeout);
}
