using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Weft.Proxy.Snapshot.Matching;

/// <summary>
/// What route matching looks at, as Envoy sees a request after its connection manager has processed it: the method,
/// the authority (Host), the normalized <c>:path</c> (with its query), the scheme and the headers.
/// </summary>
internal sealed class RouteRequest
{
    private string? _pathOnly;
    private Dictionary<string, string>? _query;

    public required string Method { get; init; }

    public required string Authority { get; init; }

    /// <summary>The <c>:path</c>: normalized path and query.</summary>
    public required string Path { get; init; }

    public string Scheme { get; init; } = "http";

    public required IHeaderDictionary Headers { get; init; }

    /// <summary>What the filters before the router wrote (the validated JWT's claims); null when none wrote anything.</summary>
    public Authorization.DynamicMetadata? Metadata { get; set; }

    /// <summary>The path without its query or fragment: what path matchers compare.</summary>
    public string PathOnly => _pathOnly ??= PathWithoutQuery(Path);

    /// <summary>The first value of a query parameter, percent-decoded; null when absent.</summary>
    public string? Query(string name)
    {
        _query ??= ParseQuery(Path);
        return _query.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>
    /// A header's value as Envoy's header matchers see it: pseudo-headers from the request line, repeated headers joined
    /// by commas; null when absent.
    /// </summary>
    public string? Header(string name)
    {
        switch (name)
        {
            case ":authority" or "host":
                return Authority;
            case ":method":
                return Method;
            case ":path":
                return Path;
            case ":scheme":
                return Scheme;
        }

        var values = Headers[name];
        return values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => string.Join(',', (IEnumerable<string?>)values),
        };
    }

    public static string PathWithoutQuery(string path)
    {
        var end = path.AsSpan().IndexOfAny('?', '#');
        return end < 0 ? path : path[..end];
    }

    private static Dictionary<string, string> ParseQuery(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var start = path.IndexOf('?', StringComparison.Ordinal);
        if (start < 0)
        {
            return result;
        }

        var query = path[(start + 1)..];
        var fragment = query.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
        {
            query = query[..fragment];
        }

        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            result.TryAdd(key, value);
        }

        return result;
    }

    /// <summary>Test and tool helper: a request from a path and headers.</summary>
    public static RouteRequest For(string path, string authority = "example.com", string method = "GET", params (string Name, string Value)[] headers)
    {
        var dictionary = new HeaderDictionary();
        foreach (var (name, value) in headers)
        {
            dictionary[name] = StringValues.Concat(dictionary[name], value);
        }

        return new RouteRequest { Method = method, Authority = authority, Path = path, Headers = dictionary };
    }
}
