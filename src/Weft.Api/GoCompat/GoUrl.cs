namespace Weft.Api.GoCompat;

/// <summary>
/// A URL parsed with the rules of Go's net/url (<c>url.Parse</c> and <c>url.ParseRequestURI</c>), with Go's error
/// texts (<c>parse "…": …</c>). Istio accepts or rejects JWKS URIs and Wasm module URLs with them, and the Kubernetes
/// CEL URL library builds on them, so the accepted set must be Go's, not <see cref="Uri"/>'s. Components are held as
/// byte strings (see <see cref="GoStrings"/>) because Go's rules are byte-oriented; the accessors decode them.
/// </summary>
internal sealed class GoUrl
{
    private string _scheme = string.Empty;
    private string _opaque = string.Empty;
    private string _host = string.Empty;
    private string _path = string.Empty;
    private string _rawPath = string.Empty;
    private string _rawQuery = string.Empty;
    private string _fragment = string.Empty;

    private GoUrl()
    {
    }

    /// <summary>The scheme, lower-cased; empty when the URL has none.</summary>
    public string Scheme => GoStrings.FromByteString(_scheme);

    /// <summary>What follows a scheme that is not followed by '/' (<c>mailto:x</c>).</summary>
    public string Opaque => GoStrings.FromByteString(_opaque);

    /// <summary>host or host:port, IPv6 literals in brackets, as <c>URL.Host</c>.</summary>
    public string Host => GoStrings.FromByteString(_host);

    /// <summary><c>URL.Hostname()</c>: the host without port and brackets.</summary>
    public string Hostname => GoStrings.FromByteString(SplitHostPort(_host).Host);

    /// <summary><c>URL.Port()</c>: the digits after the last colon of the host, or empty.</summary>
    public string Port => GoStrings.FromByteString(SplitHostPort(_host).Port);

    public string Path => GoStrings.FromByteString(_path);

    public string RawQuery => GoStrings.FromByteString(_rawQuery);

    public string Fragment => GoStrings.FromByteString(_fragment);

    public string EscapedPath
    {
        get
        {
            if (_rawPath.Length != 0 && GoUrlEscaping.ValidEncoded(_rawPath, GoUrlEncoding.Path)
                && GoUrlEscaping.Unescape(_rawPath, GoUrlEncoding.Path, out _) == _path)
            {
                return GoStrings.FromByteString(_rawPath);
            }

            return _path == "*" ? "*" : GoStrings.FromByteString(GoUrlEscaping.Escape(_path, GoUrlEncoding.Path));
        }
    }

    /// <summary>
    /// The query parameters in order of first appearance. As Go's URL.Query does, malformed pairs
    /// (bad escapes, semicolons) are skipped rather than failing the whole query.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, List<string>>> Query()
    {
        var result = new List<KeyValuePair<string, List<string>>>();
        foreach (var pair in _rawQuery.Split('&'))
        {
            if (pair.Length == 0 || pair.Contains(';', StringComparison.Ordinal))
            {
                continue;
            }

            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = GoUrlEscaping.Unescape(eq < 0 ? pair : pair[..eq], GoUrlEncoding.QueryComponent, out _);
            var value = GoUrlEscaping.Unescape(eq < 0 ? string.Empty : pair[(eq + 1)..], GoUrlEncoding.QueryComponent, out _);
            if (key is null || value is null)
            {
                continue;
            }

            key = GoStrings.FromByteString(key);
            value = GoStrings.FromByteString(value);
            var index = result.FindIndex(p => p.Key == key);
            if (index < 0)
            {
                result.Add(new(key, [value]));
            }
            else
            {
                result[index].Value.Add(value);
            }
        }

        return result;
    }

    /// <summary>
    /// Go's <c>url.ParseRequestURI</c>: an absolute URI or an absolute path; no fragment is split off. On failure,
    /// null and Go's error text. <paramref name="strictColons"/> is Go 1.26's <c>urlstrictcolons</c> setting.
    /// </summary>
    public static GoUrl? ParseRequestUri(string text, out string? error, bool strictColons = true)
    {
        var url = ParseCore(GoStrings.ToByteString(text), viaRequest: true, strictColons, out var why);
        error = url is null ? Error(text, why) : null;
        return url;
    }

    /// <summary>
    /// Go's <c>url.Parse</c>: any URL reference, fragment split off at the first '#'. On failure, null and Go's error
    /// text. <paramref name="strictColons"/> is Go 1.26's <c>urlstrictcolons</c> setting.
    /// </summary>
    public static GoUrl? Parse(string text, out string? error, bool strictColons = true)
    {
        var raw = GoStrings.ToByteString(text);
        var hash = raw.IndexOf('#', StringComparison.Ordinal);
        var beforeHash = hash < 0 ? raw : raw[..hash];
        var url = ParseCore(beforeHash, viaRequest: false, strictColons, out var why);
        if (url is null)
        {
            // Go names the URL without its fragment here, and the whole of it for a bad fragment.
            error = Error(GoStrings.FromByteString(beforeHash), why);
            return null;
        }

        error = null;
        if (hash < 0 || hash == raw.Length - 1)
        {
            return url;
        }

        var fragment = GoUrlEscaping.Unescape(raw[(hash + 1)..], GoUrlEncoding.Fragment, out why);
        if (fragment is null)
        {
            error = Error(text, why);
            return null;
        }

        url._fragment = fragment;
        return url;
    }

    private static string Error(string url, string? why) => $"parse {GoStrconv.Quote(url)}: {why}";

    private static GoUrl? ParseCore(string raw, bool viaRequest, bool strictColons, out string? error)
    {
        error = null;
        foreach (var c in raw)
        {
            if (c < 0x20 || c == 0x7F)
            {
                error = "net/url: invalid control character in URL";
                return null;
            }
        }

        if (raw.Length == 0 && viaRequest)
        {
            error = "empty url";
            return null;
        }

        var url = new GoUrl();
        if (raw == "*")
        {
            url._path = "*";
            return url;
        }

        if (!TrySplitScheme(raw, out var scheme, out var rest))
        {
            error = "missing protocol scheme";
            return null;
        }

        url._scheme = scheme.ToLowerInvariant();
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        if (question == rest.Length - 1 && question >= 0)
        {
            rest = rest[..^1];
        }
        else if (question >= 0)
        {
            url._rawQuery = rest[(question + 1)..];
            rest = rest[..question];
        }

        if (!rest.StartsWith('/'))
        {
            if (url._scheme.Length != 0)
            {
                // A rootless path after a scheme ("mailto:x", "localhost:5000/a") is opaque.
                url._opaque = rest;
                return url;
            }

            if (viaRequest)
            {
                error = "invalid URI for request";
                return null;
            }

            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if ((slash < 0 ? rest : rest[..slash]).Contains(':', StringComparison.Ordinal))
            {
                error = "first path segment in URL cannot contain colon";
                return null;
            }
        }

        if ((url._scheme.Length != 0 || (!viaRequest && !rest.StartsWith("///", StringComparison.Ordinal)))
            && rest.StartsWith("//", StringComparison.Ordinal))
        {
            var authority = rest[2..];
            rest = string.Empty;
            var slash = authority.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                rest = authority[slash..];
                authority = authority[..slash];
            }

            var host = ParseAuthority(authority, strictColons, out error);
            if (host is null)
            {
                return null;
            }

            url._host = host;
        }

        var path = GoUrlEscaping.Unescape(rest, GoUrlEncoding.Path, out error);
        if (path is null)
        {
            return null;
        }

        url._path = path;
        url._rawPath = GoUrlEscaping.Escape(path, GoUrlEncoding.Path) == rest ? string.Empty : rest;
        return url;
    }

    /// <summary>A scheme is [a-zA-Z][a-zA-Z0-9+.-]* before ':'; anything else means there is none.</summary>
    private static bool TrySplitScheme(string raw, out string scheme, out string rest)
    {
        scheme = string.Empty;
        rest = raw;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (char.IsAsciiLetter(c))
            {
                continue;
            }

            if (char.IsAsciiDigit(c) || c is '+' or '-' or '.')
            {
                if (i == 0)
                {
                    return true;
                }

                continue;
            }

            if (c == ':')
            {
                if (i == 0)
                {
                    return false;
                }

                scheme = raw[..i];
                rest = raw[(i + 1)..];
            }

            return true;
        }

        return true;
    }

    private static string? ParseAuthority(string authority, bool strictColons, out string? error)
    {
        var at = authority.LastIndexOf('@');
        var host = ParseHost(at < 0 ? authority : authority[(at + 1)..], strictColons, out error);
        if (host is null || at < 0)
        {
            return host;
        }

        var userinfo = authority[..at];
        foreach (var c in userinfo)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "-._:~!$&'()*+,;=%@".Contains(c, StringComparison.Ordinal)))
            {
                error = "net/url: invalid userinfo";
                return null;
            }
        }

        var colon = userinfo.IndexOf(':', StringComparison.Ordinal);
        if (GoUrlEscaping.Unescape(colon < 0 ? userinfo : userinfo[..colon], GoUrlEncoding.UserPassword, out error) is null
            || (colon >= 0 && GoUrlEscaping.Unescape(userinfo[(colon + 1)..], GoUrlEncoding.UserPassword, out error) is null))
        {
            return null;
        }

        return host;
    }

    private static string? ParseHost(string host, bool strictColons, out string? error)
    {
        error = null;
        var open = host.LastIndexOf('[');
        if (open > 0)
        {
            error = "invalid IP-literal";
            return null;
        }

        if (open == 0)
        {
            return ParseBracketedHost(host, out error);
        }

        // Go 1.26 reads the first colon of a host as the start of the port, so "a:1:2" is an error; before, the last.
        var colon = strictColons ? host.IndexOf(':', StringComparison.Ordinal) : host.LastIndexOf(':');
        if (colon >= 0 && !ValidOptionalPort(host[colon..]))
        {
            error = $"invalid port {GoStrconv.QuoteBytes(host[colon..])} after host";
            return null;
        }

        return GoUrlEscaping.Unescape(host, GoUrlEncoding.Host, out error);
    }

    /// <summary>An IP literal per RFC 3986 and RFC 6874: "[v6addr]" or "[v6addr%25zone]", optionally with ":port".</summary>
    private static string? ParseBracketedHost(string host, out string? error)
    {
        error = null;
        var close = host.LastIndexOf(']');
        if (close < 0)
        {
            error = "missing ']' in host";
            return null;
        }

        var colonPort = host[(close + 1)..];
        if (!ValidOptionalPort(colonPort))
        {
            error = $"invalid port {GoStrconv.QuoteBytes(colonPort)} after host";
            return null;
        }

        var port = GoUrlEscaping.Unescape(colonPort, GoUrlEncoding.Host, out error);
        if (port is null)
        {
            return null;
        }

        var name = host[1..close];
        var zone = name.IndexOf("%25", StringComparison.Ordinal);
        string? address;
        if (zone >= 0)
        {
            var part = GoUrlEscaping.Unescape(name[..zone], GoUrlEncoding.Host, out error);
            var zonePart = part is null ? null : GoUrlEscaping.Unescape(name[zone..], GoUrlEncoding.Zone, out error);
            address = zonePart is null ? null : part + zonePart;
        }
        else
        {
            address = GoUrlEscaping.Unescape(name, GoUrlEncoding.Host, out error);
        }

        if (address is null)
        {
            return null;
        }

        // Only IPv6 addresses may be bracketed; IPv4 must not be (IPv4-mapped IPv6 may).
        if (GoNetip.ParseAddr(GoStrings.FromByteString(address), out var family, out _) is { } invalid)
        {
            error = "invalid host: " + invalid;
            return null;
        }

        if (family == GoNetip.Family.V4)
        {
            error = "invalid IP-literal";
            return null;
        }

        return "[" + address + "]" + port;
    }

    private static bool ValidOptionalPort(string port)
    {
        if (port.Length == 0)
        {
            return true;
        }

        if (port[0] != ':')
        {
            return false;
        }

        for (var i = 1; i < port.Length; i++)
        {
            if (!char.IsAsciiDigit(port[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static (string Host, string Port) SplitHostPort(string hostPort)
    {
        var host = hostPort;
        var port = string.Empty;
        var colon = host.LastIndexOf(':');
        if (colon >= 0 && ValidOptionalPort(host[colon..]))
        {
            port = host[(colon + 1)..];
            host = host[..colon];
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return (host, port);
    }
}
