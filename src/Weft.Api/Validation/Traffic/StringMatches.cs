using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Traffic;

/// <summary>Which of a StringMatch's oneof fields is set (a present empty string counts as set, as in protobuf).</summary>
internal enum StringMatchKind
{
    None,
    Exact,
    Prefix,
    Regex,
}

/// <summary>Istio's checks of <c>StringMatch</c> values (<c>validateStringMatch</c>, <c>validateStringMatchRegexp</c>).</summary>
internal static class StringMatches
{
    public static StringMatchKind KindOf(StringMatch? match) => match switch
    {
        null => StringMatchKind.None,
        { Exact: not null } => StringMatchKind.Exact,
        { Prefix: not null } => StringMatchKind.Prefix,
        { Regex: not null } => StringMatchKind.Regex,
        _ => StringMatchKind.None,
    };

    /// <summary>The set value, or "" when none is set.</summary>
    public static string ValueOf(StringMatch? match) => match?.Exact ?? match?.Prefix ?? match?.Regex ?? string.Empty;

    /// <summary>A prefix must not be empty; a regex must be valid RE2. <paramref name="where"/> names the field in messages.</summary>
    public static string? Validate(StringMatch? match, string where)
    {
        return KindOf(match) switch
        {
            StringMatchKind.Prefix when match!.Prefix!.Length == 0 => $"{GoStrconv.Quote(where)}: prefix string match should not be empty",
            StringMatchKind.Regex => ValidateRegex(match, where),
            _ => null,
        };
    }

    /// <summary>Only the regex form is checked (an empty URI prefix is fine for Envoy).</summary>
    public static string? ValidateRegex(StringMatch? match, string where)
    {
        if (KindOf(match) != StringMatchKind.Regex)
        {
            return null;
        }

        var regex = match!.Regex!;
        return regex.Length == 0
            ? $"{GoStrconv.Quote(where)}: regex string match should not be empty"
            : RegexSyntax.ValidateIstio(regex, where);
    }

    /// <summary>The text Istio's overlap analysis compares: "exact:v", "prefix:v", or "" for a regex or nothing.</summary>
    public static string ExactOrPrefix(StringMatch? match)
    {
        if (match?.Exact is { Length: > 0 } exact)
        {
            return "exact:" + exact;
        }

        return match?.Prefix is { Length: > 0 } prefix ? "prefix:" + prefix : string.Empty;
    }
}
