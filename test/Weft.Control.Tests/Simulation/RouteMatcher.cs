using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// Whether an Envoy route's match accepts a request: the path (query and fragment removed; <c>case_sensitive</c> applies
/// to prefix, exact and path-separated prefix, not to regexes), every header matcher, every query parameter matcher, every
/// cookie matcher and the gRPC flag. Matches on dynamic metadata or filter state cannot be decided from a call and fail.
/// </summary>
internal static class RouteMatcher
{
    public static bool Matches(RouteMatch match, Call call, string authority)
    {
        var path = PathOnly(call.Path);
        var comparison = match.CaseSensitive == false ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var pathOk = match.PathSpecifierCase switch
        {
            RouteMatch.PathSpecifierOneofCase.Prefix => path.StartsWith(match.Prefix, comparison),
            RouteMatch.PathSpecifierOneofCase.Path => string.Equals(path, match.Path, comparison),
            RouteMatch.PathSpecifierOneofCase.SafeRegex => StringMatching.FullMatch(match.SafeRegex, path),
            RouteMatch.PathSpecifierOneofCase.PathSeparatedPrefix => path.StartsWith(match.PathSeparatedPrefix, comparison)
                && (path.Length == match.PathSeparatedPrefix.Length || path[match.PathSeparatedPrefix.Length] == '/'),
            RouteMatch.PathSpecifierOneofCase.ConnectMatcher => call.Method == "CONNECT",
            _ => false,
        };
        if (!pathOk || match.DynamicMetadata.Count > 0 || match.FilterState.Count > 0)
        {
            return false;
        }

        if (match.Grpc is not null && !(call.Header("content-type")?.StartsWith("application/grpc", StringComparison.Ordinal) ?? false))
        {
            return false;
        }

        if (match.TlsContext?.Presented == true && call.Protocol != CallProtocol.Tls)
        {
            return false;
        }

        return match.Headers.All(h => HeaderMatching.Matches(h, RequestHeader(call, authority, h.Name)))
            && match.QueryParameters.All(q => QueryParameter(q, call.Path))
            && match.Cookies.All(c => Cookie(c, call.Header("cookie")));
    }

    /// <summary>A request header as Envoy sees it, pseudo-headers included.</summary>
    public static string? RequestHeader(Call call, string authority, string name) => name switch
    {
        ":authority" or "host" => authority,
        ":method" => call.Method,
        ":path" => call.Path,
        ":scheme" => call.Scheme,
        _ => call.Header(name),
    };

    private static string PathOnly(string path)
    {
        var end = path.IndexOfAny(['?', '#']);
        return end < 0 ? path : path[..end];
    }

    private static bool QueryParameter(QueryParameterMatcher matcher, string path)
    {
        var query = path.IndexOf('?', StringComparison.Ordinal) is var q && q >= 0 ? path[(q + 1)..] : string.Empty;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            if (name != matcher.Name)
            {
                continue;
            }

            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
            return matcher.QueryParameterMatchSpecifierCase switch
            {
                QueryParameterMatcher.QueryParameterMatchSpecifierOneofCase.PresentMatch => matcher.PresentMatch,
                QueryParameterMatcher.QueryParameterMatchSpecifierOneofCase.StringMatch => StringMatching.Matches(matcher.StringMatch, value),
                _ => true,
            };
        }

        return false;
    }

    private static bool Cookie(CookieMatcher matcher, string? header)
    {
        var value = (header ?? string.Empty).Split(';', StringSplitOptions.TrimEntries)
            .Select(c => c.Split('=', 2))
            .Where(c => c[0] == matcher.Name)
            .Select(c => c.Length > 1 ? c[1] : string.Empty)
            .FirstOrDefault();
        var matched = value is not null && (matcher.StringMatch is null || StringMatching.Matches(matcher.StringMatch, value));
        return matched != matcher.InvertMatch;
    }
}
