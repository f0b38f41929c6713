using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Proxy.Snapshot.Matching;

/// <summary>
/// Envoy's <c>QueryParameterMatcher</c>: the parameter must be present (its first value is matched); <c>present_match</c>
/// answers with its own value once the parameter is there; with no specifier, presence is enough.
/// </summary>
internal sealed class QueryParameterMatch(string name, StringMatch? match, bool? present)
{
    public static QueryParameterMatch Compile(QueryParameterMatcher matcher)
    {
        if (matcher.Name.Length == 0)
        {
            throw new XdsRejectedException("a query parameter matcher has no name");
        }

        return matcher.QueryParameterMatchSpecifierCase switch
        {
            QueryParameterMatcher.QueryParameterMatchSpecifierOneofCase.StringMatch => new(matcher.Name, StringMatch.Compile(matcher.StringMatch), null),
            QueryParameterMatcher.QueryParameterMatchSpecifierOneofCase.PresentMatch => new(matcher.Name, null, matcher.PresentMatch),
            _ => new(matcher.Name, null, null),
        };
    }

    public bool Matches(RouteRequest request)
    {
        if (request.Query(name) is not { } value)
        {
            return false;
        }

        if (present is { } wanted)
        {
            return wanted;
        }

        return match?.Matches(value) ?? true;
    }
}
