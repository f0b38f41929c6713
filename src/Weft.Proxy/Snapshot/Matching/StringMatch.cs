using System.Text.RegularExpressions;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Proxy.Snapshot.Matching;

/// <summary>
/// Envoy's <c>StringMatcher</c>: exact, prefix, suffix, contains (each optionally ignoring ASCII case) or an RE2 regex
/// that must match the whole value (<c>ignore_case</c> does not apply to it).
/// </summary>
internal sealed class StringMatch
{
    private readonly Kind _kind;
    private readonly string _value;
    private readonly StringComparison _comparison;
    private readonly Regex? _regex;

    private StringMatch(Kind kind, string value, bool ignoreCase, Regex? regex)
    {
        _kind = kind;
        _value = value;
        _comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        _regex = regex;
    }

    private enum Kind
    {
        Exact,
        Prefix,
        Suffix,
        Contains,
        Regex,
    }

    public static StringMatch Exact(string value, bool ignoreCase = false) => new(Kind.Exact, value, ignoreCase, null);

    public static StringMatch Prefix(string value, bool ignoreCase = false) => new(Kind.Prefix, value, ignoreCase, null);

    public static StringMatch Suffix(string value, bool ignoreCase = false) => new(Kind.Suffix, value, ignoreCase, null);

    public static StringMatch Contains(string value, bool ignoreCase = false) => new(Kind.Contains, value, ignoreCase, null);

    public static StringMatch FullRegex(string pattern) => new(Kind.Regex, pattern, false, Re2.FullMatch(pattern));

    /// <summary>Compiles a matcher; Envoy's rules: a pattern is required, prefix/suffix/contains/regex must not be empty.</summary>
    public static StringMatch Compile(StringMatcher matcher)
    {
        var ignore = matcher.IgnoreCase;
        return matcher.MatchPatternCase switch
        {
            StringMatcher.MatchPatternOneofCase.Exact => Exact(matcher.Exact, ignore),
            StringMatcher.MatchPatternOneofCase.Prefix => Prefix(NotEmpty(matcher.Prefix, "prefix"), ignore),
            StringMatcher.MatchPatternOneofCase.Suffix => Suffix(NotEmpty(matcher.Suffix, "suffix"), ignore),
            StringMatcher.MatchPatternOneofCase.Contains => Contains(NotEmpty(matcher.Contains, "contains"), ignore),
            StringMatcher.MatchPatternOneofCase.SafeRegex => FullRegex(matcher.SafeRegex.Regex),
            _ => throw new XdsRejectedException("a string matcher sets no pattern (exact, prefix, suffix, contains or safe_regex)"),
        };
    }

    public bool Matches(string value) => _kind switch
    {
        Kind.Exact => string.Equals(value, _value, _comparison),
        Kind.Prefix => value.StartsWith(_value, _comparison),
        Kind.Suffix => value.EndsWith(_value, _comparison),
        Kind.Contains => value.Contains(_value, _comparison),
        _ => _regex!.IsMatch(value),
    };

    public override string ToString() => $"{_kind.ToString().ToLowerInvariant()} \"{_value}\"";

    private static string NotEmpty(string value, string what) =>
        value.Length > 0 ? value : throw new XdsRejectedException($"a string matcher's {what} must not be empty");
}
