using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Proxy.Authorization;

/// <summary>Envoy's <c>PathMatcher</c>: a string matcher on the request's path without query or fragment; no request, no match.</summary>
internal sealed class UrlPathMatch(StringMatch path)
{
    public static UrlPathMatch Compile(PathMatcher matcher) => matcher.RuleCase == PathMatcher.RuleOneofCase.Path
        ? new UrlPathMatch(StringMatch.Compile(matcher.Path))
        : throw new XdsRejectedException("a path matcher sets no path");

    public bool Matches(RouteRequest? request)
    {
        if (request is null)
        {
            return false;
        }

        var full = request.Path;
        var end = full.AsSpan().IndexOfAny('?', '#');
        return path.Matches(end < 0 ? full : full[..end]);
    }
}
