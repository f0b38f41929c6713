using Weft.Api.GoCompat;

namespace Weft.Api.Schema.Cel;

/// <summary>
/// The Kubernetes URL library. url() accepts what Go's url.ParseRequestURI accepts (an absolute URI or an
/// absolute path) and then reads the parts with url.Parse, which splits the fragment off correctly.
/// </summary>
internal static class CelUrls
{
    // As this library always has: a host's last colon starts its port, as in Go before 1.26 or with urlstrictcolons=0.
    private const bool StrictColons = false;

    public static CelValue Url(CelValue v)
    {
        if (v is not CelString s)
        {
            return CelError.NoOverload("url", v);
        }

        // ParseRequestURI decides what is a URL; Parse then reads the parts, splitting the fragment off correctly.
        var url = GoUrl.ParseRequestUri(s.Value, out var error, StrictColons) is null ? null : GoUrl.Parse(s.Value, out error, StrictColons);
        return url is null
            ? new CelError($"URL parse error during conversion from string: {error}")
            : new CelUrl(url, s.Value);
    }

    public static CelValue IsUrl(CelValue v) => v is CelString s
        ? CelBool.Of(GoUrl.ParseRequestUri(s.Value, out _, StrictColons) is not null)
        : CelError.NoOverload("isURL", v);

    public static CelValue GetScheme(CelValue v) => Part(v, "getScheme", static u => u.Scheme);

    public static CelValue GetHost(CelValue v) => Part(v, "getHost", static u => u.Host);

    public static CelValue GetHostname(CelValue v) => Part(v, "getHostname", static u => u.Hostname);

    public static CelValue GetPort(CelValue v) => Part(v, "getPort", static u => u.Port);

    public static CelValue GetEscapedPath(CelValue v) => Part(v, "getEscapedPath", static u => u.EscapedPath);

    /// <summary>The query as map(string, list(string)).</summary>
    public static CelValue GetQuery(CelValue v)
    {
        if (v is not CelUrl url)
        {
            return CelError.NoOverload("getQuery", v);
        }

        var query = url.Url.Query();
        var keys = new CelValue[query.Count];
        var values = new CelValue[query.Count];
        for (var i = 0; i < query.Count; i++)
        {
            keys[i] = new CelString(query[i].Key);
            values[i] = new CelArrayList(query[i].Value.Select(x => (CelValue)new CelString(x)).ToArray());
        }

        return new CelLiteralMap(keys, values);
    }

    private static CelValue Part(CelValue v, string function, Func<GoUrl, string> part) =>
        v is CelUrl url ? new CelString(part(url.Url)) : CelError.NoOverload(function, v);
}
