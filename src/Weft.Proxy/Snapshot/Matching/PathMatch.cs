using System.Text.RegularExpressions;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Proxy.Snapshot.Matching;

/// <summary>
/// A route's path condition, on the path without its query: <c>prefix</c>, exact <c>path</c>, <c>safe_regex</c> (whole
/// path) or <c>path_separated_prefix</c> (a prefix ending on a segment boundary). <c>case_sensitive</c> (default true)
/// applies to all but the regex. <see cref="MatchedLength"/> is what a <c>prefix_rewrite</c> replaces.
/// </summary>
internal sealed class PathMatch
{
    private readonly Kind _kind;
    private readonly string _value;
    private readonly StringComparison _comparison;
    private readonly Regex? _regex;

    private PathMatch(Kind kind, string value, bool caseSensitive, Regex? regex)
    {
        _kind = kind;
        _value = value;
        _comparison = caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        _regex = regex;
    }

    private enum Kind
    {
        Prefix,
        Exact,
        Regex,
        SeparatedPrefix,
    }

    /// <summary>Whether every path matches (a catch-all <c>/</c> prefix).</summary>
    public bool IsEverything => _kind == Kind.Prefix && _value.Length <= 1 && (_value.Length == 0 || _value[0] == '/');

    public static PathMatch Compile(RouteMatch match)
    {
        var caseSensitive = match.CaseSensitive ?? true;
        switch (match.PathSpecifierCase)
        {
            case RouteMatch.PathSpecifierOneofCase.Prefix:
                return new PathMatch(Kind.Prefix, match.Prefix, caseSensitive, null);
            case RouteMatch.PathSpecifierOneofCase.Path:
                return new PathMatch(Kind.Exact, match.Path, caseSensitive, null);
            case RouteMatch.PathSpecifierOneofCase.SafeRegex:
                return new PathMatch(Kind.Regex, match.SafeRegex.Regex, true, Re2.FullMatch(match.SafeRegex.Regex));
            case RouteMatch.PathSpecifierOneofCase.PathSeparatedPrefix:
                var prefix = match.PathSeparatedPrefix;
                if (prefix.Length == 0 || prefix.EndsWith('/') || prefix.AsSpan().IndexOfAny('?', '#') >= 0)
                {
                    throw new XdsRejectedException($"path_separated_prefix \"{prefix}\" must be non-empty, without ? or #, and not end with /");
                }

                return new PathMatch(Kind.SeparatedPrefix, prefix, caseSensitive, null);
            case RouteMatch.PathSpecifierOneofCase.ConnectMatcher:
                throw new XdsRejectedException("connect_matcher routes (CONNECT) are not supported yet");
            case RouteMatch.PathSpecifierOneofCase.PathMatchPolicy:
                throw new XdsRejectedException("path_match_policy (URI templates) is not supported yet");
            default:
                throw new XdsRejectedException("the route match has no path condition (prefix, path, safe_regex or path_separated_prefix)");
        }
    }

    public bool Matches(string path) => _kind switch
    {
        Kind.Prefix => path.StartsWith(_value, _comparison),
        Kind.Exact => string.Equals(path, _value, _comparison),
        Kind.Regex => _regex!.IsMatch(path),
        _ => path.StartsWith(_value, _comparison) && (path.Length == _value.Length || path[_value.Length] == '/'),
    };

    /// <summary>How much of a matching path the route matched: the prefix, or all of it for exact and regex routes.</summary>
    public int MatchedLength(string path) => _kind is Kind.Prefix or Kind.SeparatedPrefix ? _value.Length : path.Length;
}
