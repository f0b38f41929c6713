using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Rules;

/// <summary>Istio's <c>validateStringRegexp</c>, which it runs before handing a regex to Envoy.</summary>
internal static class RegexSyntax
{
    public const int MaxLength = 1024;

    /// <summary>
    /// At most 1024 bytes and valid RE2 as Go's regexp reads it. <paramref name="where"/> names the field in the
    /// message (e.g. "uri"). Returns null when valid.
    /// </summary>
    public static string? ValidateIstio(string pattern, string where)
    {
        if (GoStrings.ByteLength(pattern) > MaxLength)
        {
            return $"{GoStrconv.Quote(where)}: regex is too large, max length allowed is {MaxLength}";
        }

        return GoRegexpSyntax.Check(pattern) is { } error
            ? $"{GoStrconv.Quote(where)}: {error}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)"
            : null;
    }
}
