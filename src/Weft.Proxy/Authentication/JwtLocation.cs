using Microsoft.AspNetCore.Http;
using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Authentication;

/// <summary>Where a provider looks for its token: a header (after a prefix), a query parameter or a cookie.</summary>
internal abstract record JwtLocation
{
    /// <summary>Envoy's default when a provider names no location: <c>Authorization: Bearer</c>, then <c>?access_token=</c>.</summary>
    public static IReadOnlyList<JwtLocation> Defaults { get; } = [new HeaderLocation("authorization", "Bearer "), new ParamLocation("access_token")];

    public abstract string? Find(RouteRequest request);

    /// <summary>Takes the token out of the request when the provider does not forward it (headers only, as in Envoy).</summary>
    public virtual void Remove(IHeaderDictionary headers)
    {
    }

    /// <summary>The token after <paramref name="prefix"/> in a value: its run of base64url characters and dots.</summary>
    protected static string? After(string value, string prefix)
    {
        var start = 0;
        if (prefix.Length > 0)
        {
            var at = value.IndexOf(prefix, StringComparison.OrdinalIgnoreCase);
            if (at < 0)
            {
                return null;
            }

            start = at + prefix.Length;
        }

        var end = start;
        while (end < value.Length && (char.IsAsciiLetterOrDigit(value[end]) || value[end] is '-' or '_' or '.' or '=' or '+' or '/'))
        {
            end++;
        }

        return end > start ? value[start..end] : null;
    }
}

internal sealed record HeaderLocation(string Name, string Prefix) : JwtLocation
{
    public override string? Find(RouteRequest request) => request.Headers.TryGetValue(Name, out var values) && values.Count > 0
        ? After(values[0] ?? string.Empty, Prefix)
        : null;

    public override void Remove(IHeaderDictionary headers) => headers.Remove(Name);
}

internal sealed record ParamLocation(string Name) : JwtLocation
{
    public override string? Find(RouteRequest request) => request.Query(Name) is { Length: > 0 } value ? value : null;
}

internal sealed record CookieLocation(string Name) : JwtLocation
{
    public override string? Find(RouteRequest request)
    {
        foreach (var header in request.Headers.Cookie)
        {
            foreach (var pair in (header ?? string.Empty).Split(';'))
            {
                var eq = pair.IndexOf('=');
                if (eq > 0 && pair.AsSpan(0, eq).Trim().SequenceEqual(Name))
                {
                    var value = pair[(eq + 1)..].Trim().Trim('"');
                    return value.Length > 0 ? value : null;
                }
            }
        }

        return null;
    }
}
