using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Config.Route.V3;
using RouteMatch = Weft.Xds.Envoy.Config.Route.V3.RouteMatch;

namespace Weft.Control.Generators.Routes;

/// <summary>One <c>HTTPMatchRequest</c> as an Envoy route match (every condition in it must hold).</summary>
internal static class RouteMatches
{
    public const string MethodHeader = ":method";
    public const string AuthorityHeader = ":authority";
    public const string SchemeHeader = ":scheme";

    /// <summary>
    /// The Envoy match. Without a match request: everything (<c>prefix: /</c>). Header matchers come sorted by name so
    /// the output is stable, then <c>:method</c>, <c>:authority</c> and <c>:scheme</c>; JWT claim "headers" become
    /// dynamic-metadata matchers instead.
    /// </summary>
    public static RouteMatch Translate(HTTPMatchRequest? match)
    {
        var result = new RouteMatch { Prefix = "/" };
        if (match is null)
        {
            return result;
        }

        var headers = new List<HeaderMatcher>();
        foreach (var (name, value) in Sorted(match.Headers))
        {
            if (JwtClaimMatchers.Claims(name) is { } claims)
            {
                result.DynamicMetadata.Add(JwtClaimMatchers.For(claims, value));
            }
            else
            {
                headers.Add(Header(name.ToLowerInvariant(), value));
            }
        }

        foreach (var (name, value) in Sorted(match.WithoutHeaders))
        {
            if (JwtClaimMatchers.Claims(name) is { } claims)
            {
                var matcher = JwtClaimMatchers.For(claims, value);
                matcher.Invert = true;
                result.DynamicMetadata.Add(matcher);
                continue;
            }

            var header = Header(name.ToLowerInvariant(), value);
            header.InvertMatch = true;

            // Envoy refuses treat_missing_header_as_empty together with present_match.
            header.TreatMissingHeaderAsEmpty = !StringMatchers.IsPresence(value);
            headers.Add(header);
        }

        headers.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        result.Headers.AddRange(headers);

        ApplyPath(result, match.Uri);
        result.CaseSensitive = match.IgnoreUriCase != true;

        if (match.Method is not null)
        {
            result.Headers.Add(Header(MethodHeader, match.Method));
        }

        if (match.Authority is not null)
        {
            result.Headers.Add(Header(AuthorityHeader, match.Authority));
        }

        if (match.Scheme is not null)
        {
            result.Headers.Add(Header(SchemeHeader, match.Scheme));
        }

        foreach (var (name, value) in Sorted(match.QueryParams))
        {
            result.QueryParameters.Add(QueryParameter(name, value));
        }

        return result;
    }

    /// <summary>
    /// Whether Envoy would send every request down this route (<c>/</c> prefix or <c>.*</c> regex and no other
    /// condition), so nothing after it can match.
    /// </summary>
    public static bool IsCatchAll(RouteMatch match)
    {
        var everyPath = match.PathSpecifierCase switch
        {
            RouteMatch.PathSpecifierOneofCase.Prefix => match.Prefix == "/",
            RouteMatch.PathSpecifierOneofCase.PathSeparatedPrefix => match.PathSeparatedPrefix == "/",
            RouteMatch.PathSpecifierOneofCase.SafeRegex => match.SafeRegex.Regex == ".*",
            _ => false,
        };
        return everyPath && match.Headers.Count == 0 && match.QueryParameters.Count == 0 && match.DynamicMetadata.Count == 0;
    }

    private static void ApplyPath(RouteMatch result, StringMatch? uri)
    {
        if (uri?.Exact is { } exact)
        {
            result.Path = exact;
        }
        else if (uri?.Prefix is { } prefix)
        {
            result.Prefix = prefix;
        }
        else if (uri?.Regex is { } regex)
        {
            result.SafeRegex = StringMatchers.Regex(regex);
        }
    }

    private static HeaderMatcher Header(string name, StringMatch? value)
    {
        var matcher = new HeaderMatcher { Name = name };
        if (StringMatchers.IsPresence(value))
        {
            matcher.PresentMatch = true;
        }
        else
        {
            matcher.StringMatch = StringMatchers.Convert(value);
        }

        return matcher;
    }

    private static QueryParameterMatcher QueryParameter(string name, StringMatch? value)
    {
        var matcher = new QueryParameterMatcher { Name = name };
        if (StringMatchers.IsPresence(value))
        {
            matcher.PresentMatch = true;
        }
        else
        {
            matcher.StringMatch = StringMatchers.Convert(value);
        }

        return matcher;
    }

    private static IEnumerable<KeyValuePair<string, StringMatch>> Sorted(IReadOnlyDictionary<string, StringMatch>? map) =>
        map is null ? [] : map.OrderBy(kv => kv.Key, StringComparer.Ordinal);
}
