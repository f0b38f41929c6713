using System.Globalization;
using Weft.Proxy.Snapshot.Routes;

namespace Weft.Proxy.Http;

/// <summary>
/// The Location of a redirect route, built as Envoy builds it: scheme, host, port and path each replaced when the route
/// says so; a new scheme drops the request's port when it was the old scheme's default; a path given in full keeps the
/// request's query unless it brings its own; <c>strip_query</c> removes it.
/// </summary>
internal static class RedirectLocation
{
    public static string Build(RedirectReply redirect, string requestScheme, string requestHost, string requestPath, int matchedLength)
    {
        var scheme = redirect.Scheme ?? requestScheme;
        var port = redirect.Port > 0 ? ":" + redirect.Port.ToString(CultureInfo.InvariantCulture) : string.Empty;
        var host = redirect.Host.Length > 0 ? redirect.Host : RequestHost(requestHost, requestScheme, scheme, port.Length > 0);

        var queryStart = requestPath.AsSpan().IndexOfAny('?', '#');
        var pathOnly = queryStart < 0 ? requestPath : requestPath[..queryStart];
        var query = queryStart < 0 ? string.Empty : requestPath[queryStart..];
        string path;
        var pathHasQuery = false;
        if (redirect.Path is { } whole)
        {
            pathHasQuery = whole.Contains('?', StringComparison.Ordinal);
            path = pathHasQuery ? whole : whole + query;
        }
        else if (redirect.PrefixRewrite is { } prefix)
        {
            path = prefix + pathOnly[Math.Min(matchedLength, pathOnly.Length)..] + query;
        }
        else if (redirect.RegexRewrite is { } rewrite)
        {
            path = rewrite.Pattern.Replace(pathOnly, rewrite.Substitution) + query;
        }
        else
        {
            path = requestPath;
        }

        if (!path.StartsWith('/'))
        {
            path = "/" + path;
        }

        if (redirect.StripQuery && !pathHasQuery && path.IndexOf('?', StringComparison.Ordinal) is var q and >= 0)
        {
            path = path[..q];
        }

        return $"{scheme}://{host}{port}{path}";
    }

    /// <summary>
    /// The request's host with its port removed when a new port is given, or when the scheme changes and the port was the
    /// old scheme's default (so http://a:80 becomes https://a, not https://a:80).
    /// </summary>
    private static string RequestHost(string host, string oldScheme, string newScheme, bool newPort)
    {
        var stripped = Snapshot.HostPort.StripPort(host);
        if (stripped.Length == host.Length)
        {
            return host;
        }

        var requestPort = host[stripped.Length..];
        var remove = newPort
            || (newScheme != oldScheme && ((oldScheme == "https" && requestPort == ":443") || (oldScheme == "http" && requestPort == ":80")));
        return remove ? stripped : host;
    }
}
