using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Control.Generators.Routes;

/// <summary>Istio's <c>StringMatch</c> (exact, prefix or RE2 regex) as Envoy's string matcher.</summary>
internal static class StringMatchers
{
    /// <summary>
    /// Whether a match means "the value is present": no match type at all, or the regex <c>*</c>, which is not valid
    /// RE2 and which Istio has always read as "any value".
    /// </summary>
    public static bool IsPresence(StringMatch? match) =>
        match is null || (match.Exact is null && match.Prefix is null && match.Regex is null or "*");

    /// <summary>The Envoy matcher; null when the match sets no type. An empty string is a real (empty) pattern.</summary>
    public static StringMatcher? Convert(StringMatch? match)
    {
        if (match?.Exact is { } exact)
        {
            return new StringMatcher { Exact = exact };
        }

        if (match?.Prefix is { } prefix)
        {
            return new StringMatcher { Prefix = prefix };
        }

        if (match?.Regex is { } regex)
        {
            return new StringMatcher { SafeRegex = Regex(regex) };
        }

        return null;
    }

    /// <summary>
    /// An RE2 matcher. The deprecated <c>google_re2</c> engine field is left unset, as Istio leaves it: RE2 is Envoy's
    /// only engine and setting the field only earns a deprecation warning.
    /// </summary>
    public static RegexMatcher Regex(string pattern) => new() { Regex = pattern };
}
