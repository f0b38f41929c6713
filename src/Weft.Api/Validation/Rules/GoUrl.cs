using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// URLs as Go 1.26's <c>net/url</c> parses them (<c>url.Parse</c> and <c>url.ParseRequestURI</c>), with Go's error
/// texts (<c>parse "…": …</c>). Istio's validation uses these to accept or reject JWKS URIs and Wasm module URLs,
/// so the accepted set must be Go's, not <see cref="Uri"/>'s. Hosts in brackets are checked as <c>netip</c> checks
/// them; a colon in an unbracketed host starts the port (Go 1.26's strict default).
/// </summary>
internal sealed class GoUrl
{
    private GoUrl()
    {
    }

    /// <summary>The scheme, lower-cased; empty when the URL has none.</summary>
    public string Scheme { get; private set; } = string.Empty;

    public string Opaque { get; private set; } = string.Empty;

    /// <summary>The host with its port, as <c>URL.Host</c>.</summary>
    public string Host { get; private set; } = string.Empty;

    public string Path { get; private set; } = string.Empty;

    public string RawQuery { get; private set; } = string.Empty;

    public string Fragment { get; private set; } = string.Empty;

    /// <summary><c>URL.Port()</c>: the digits after the last colon of the host, or empty.</summary>
    public string Port
    {
        get
        {
            var colon = Host.LastIndexOf(':');
            return colon >= 0 && ValidOptionalPort(Host.AsSpan(colon)) ? Host[(colon + 1)..] : string.Empty;
        }
    }

    /// <summary><c>URL.Hostname()</c>: the host without port and brackets.</summary>
    public string Hostname
    {
        get
        {
            var host = Host;
            var colon = host.LastIndexOf(':');
            if (colon >= 0 && ValidOptionalPort(host.AsSpan(colon)))
            {
                host = host[..colon];
            }

            return host.Length >= 2 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
        }
    }

    /// <summary><c>url.Parse</c>: returns the URL, or null with Go's error text.</summary>
    public static GoUrl? Parse(string raw, out string? error)
    {
        var hash = raw.IndexOf('#', StringComparison.Ordinal);
        var u = hash < 0 ? raw : raw[..hash];
        var url = ParseCore(u, viaRequest: false, out var why);
        if (url is null)
        {
            error = $"parse {GoStrconv.Quote(u)}: {why}";
            return null;
        }

        if (hash >= 0)
        {
            var fragment = raw[(hash + 1)..];
            if (Unescape(fragment, Mode.Fragment, out var decoded) is { } fragmentError)
            {
                error = $"parse {GoStrconv.Quote(raw)}: {fragmentError}";
                return null;
            }

            url.Fragment = decoded;
        }

        error = null;
        return url;
    }

    /// <summary><c>url.ParseRequestURI</c>: an absolute URI or an absolute path, no fragment split.</summary>
    public static GoUrl? ParseRequestUri(string raw, out string? error)
    {
        var url = ParseCore(raw, viaRequest: true, out var why);
        error = url is null ? $"parse {GoStrconv.Quote(raw)}: {why}" : null;
        return url;
    }

    private enum Mode
    {
        Path,
        Host,
        Zone,
        UserPassword,
        Fragment,
    }

    private static GoUrl? ParseCore(string raw, bool viaRequest, out string? error)
    {
        error = null;
        foreach (var c in raw)
        {
            if (c < ' ' || c == 0x7f)
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
            url.Path = "*";
            return url;
        }

        if (GetScheme(raw, out var scheme, out var rest) is { } schemeError)
        {
            error = schemeError;
            return null;
        }

        url.Scheme = scheme.ToLowerInvariant();
        if (rest.EndsWith('?') && rest.Count(static c => c == '?') == 1)
        {
            rest = rest[..^1];
        }
        else
        {
            var q = rest.IndexOf('?', StringComparison.Ordinal);
            if (q >= 0)
            {
                url.RawQuery = rest[(q + 1)..];
                rest = rest[..q];
            }
        }

        if (!rest.StartsWith('/'))
        {
            if (url.Scheme.Length > 0)
            {
                url.Opaque = rest;
                return url;
            }

            if (viaRequest)
            {
                error = "invalid URI for request";
                return null;
            }

            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            var segment = slash < 0 ? rest : rest[..slash];
            if (segment.Contains(':', StringComparison.Ordinal))
            {
                error = "first path segment in URL cannot contain colon";
                return null;
            }
        }

        if ((url.Scheme.Length > 0 || (!viaRequest && !rest.StartsWith("///", StringComparison.Ordinal))) && rest.StartsWith("//", StringComparison.Ordinal))
        {
            var authority = rest[2..];
            rest = string.Empty;
            var slash = authority.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                rest = authority[slash..];
                authority = authority[..slash];
            }

            if (ParseAuthority(authority, out var host) is { } authorityError)
            {
                error = authorityError;
                return null;
            }

            url.Host = host;
        }

        if (Unescape(rest, Mode.Path, out var path) is { } pathError)
        {
            error = pathError;
            return null;
        }

        url.Path = path;
        return url;
    }

    private static string? GetScheme(string raw, out string scheme, out string rest)
    {
        scheme = string.Empty;
        rest = raw;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z'))
            {
                continue;
            }

            if (c is (>= '0' and <= '9') or '+' or '-' or '.')
            {
                if (i == 0)
                {
                    return null;
                }

                continue;
            }

            if (c == ':')
            {
                if (i == 0)
                {
                    return "missing protocol scheme";
                }

                scheme = raw[..i];
                rest = raw[(i + 1)..];
                return null;
            }

            return null;
        }

        return null;
    }

    private static string? ParseAuthority(string authority, out string host)
    {
        var at = authority.LastIndexOf('@');
        if (ParseHost(at < 0 ? authority : authority[(at + 1)..], out host) is { } hostError)
        {
            return hostError;
        }

        if (at < 0)
        {
            return null;
        }

        var userinfo = authority[..at];
        if (!ValidUserinfo(userinfo))
        {
            return "net/url: invalid userinfo";
        }

        var colon = userinfo.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return Unescape(userinfo, Mode.UserPassword, out _);
        }

        return Unescape(userinfo[..colon], Mode.UserPassword, out _) ?? Unescape(userinfo[(colon + 1)..], Mode.UserPassword, out _);
    }

    private static bool ValidUserinfo(string s)
    {
        foreach (var c in s)
        {
            if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9'))
            {
                continue;
            }

            switch (c)
            {
                case '-' or '.' or '_' or ':' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or '%' or '@':
                    continue;
                default:
                    return false;
            }
        }

        return true;
    }

    private static string? ParseHost(string host, out string result)
    {
        result = string.Empty;
        var open = host.LastIndexOf('[');
        if (open > 0)
        {
            return "invalid IP-literal";
        }

        if (open == 0)
        {
            var close = host.LastIndexOf(']');
            if (close < 0)
            {
                return "missing ']' in host";
            }

            var colonPort = host[(close + 1)..];
            if (!ValidOptionalPort(colonPort))
            {
                return $"invalid port {GoStrconv.Quote(colonPort)} after host";
            }

            if (Unescape(colonPort, Mode.Host, out var port) is { } portError)
            {
                return portError;
            }

            var inside = host[1..close];
            string address;
            var zone = inside.IndexOf("%25", StringComparison.Ordinal);
            if (zone >= 0)
            {
                if (Unescape(inside[..zone], Mode.Host, out var head) is { } headError)
                {
                    return headError;
                }

                if (Unescape(inside[zone..], Mode.Zone, out var tail) is { } zoneError)
                {
                    return zoneError;
                }

                address = head + tail;
            }
            else if (Unescape(inside, Mode.Host, out address) is { } insideError)
            {
                return insideError;
            }

            if (GoNetip.ParseAddr(address, out var family, out _) is { } addrError)
            {
                return "invalid host: " + addrError;
            }

            if (family == GoNetip.Family.V4)
            {
                return "invalid IP-literal";
            }

            result = "[" + address + "]" + port;
            return null;
        }

        var colon = host.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            var colonPort = host[colon..];
            if (!ValidOptionalPort(colonPort))
            {
                return $"invalid port {GoStrconv.Quote(colonPort)} after host";
            }
        }

        return Unescape(host, Mode.Host, out result);
    }

    private static bool ValidOptionalPort(ReadOnlySpan<char> port)
    {
        if (port.Length == 0)
        {
            return true;
        }

        if (port[0] != ':')
        {
            return false;
        }

        foreach (var c in port[1..])
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F');

    private static int Unhex(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => 0,
    };

    private static bool ShouldEscape(char c, Mode mode)
    {
        if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9'))
        {
            return false;
        }

        if (mode is Mode.Host or Mode.Zone)
        {
            switch (c)
            {
                case '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or ':' or '[' or ']' or '<' or '>' or '"':
                    return false;
            }
        }

        switch (c)
        {
            case '-' or '_' or '.' or '~':
                return false;
            case '$' or '&' or '+' or ',' or '/' or ':' or ';' or '=' or '?' or '@':
                switch (mode)
                {
                    case Mode.Path:
                        return c == '?';
                    case Mode.UserPassword:
                        return c is '@' or '/' or '?' or ':';
                    case Mode.Fragment:
                        return false;
                }

                break;
        }

        if (mode == Mode.Fragment && c is '!' or '(' or ')' or '*')
        {
            return false;
        }

        return true;
    }

    /// <summary>Go's <c>unescape</c>: checks <c>%XX</c> escapes (and host characters); the decoded text is approximate for non-ASCII.</summary>
    private static string? Unescape(string s, Mode mode, out string result)
    {
        result = s;
        var any = false;
        for (var i = 0; i < s.Length;)
        {
            var c = s[i];
            if (c == '%')
            {
                any = true;
                if (i + 2 >= s.Length || !IsHex(s[i + 1]) || !IsHex(s[i + 2]))
                {
                    var bad = s[i..];
                    return "invalid URL escape " + GoStrconv.Quote(bad.Length > 3 ? bad[..3] : bad);
                }

                var three = s.Substring(i, 3);
                if (mode == Mode.Host && Unhex(s[i + 1]) < 8 && three != "%25")
                {
                    return "invalid URL escape " + GoStrconv.Quote(three);
                }

                if (mode == Mode.Zone)
                {
                    var v = (char)((Unhex(s[i + 1]) << 4) | Unhex(s[i + 2]));
                    if (three != "%25" && v != ' ' && ShouldEscape(v, Mode.Host))
                    {
                        return "invalid URL escape " + GoStrconv.Quote(three);
                    }
                }

                i += 3;
                continue;
            }

            if (mode is Mode.Host or Mode.Zone && c < 0x80 && ShouldEscape(c, mode))
            {
                return "invalid character " + GoStrconv.Quote(c.ToString()) + " in host name";
            }

            i++;
        }

        if (any)
        {
            var sb = new System.Text.StringBuilder(s.Length);
            for (var i = 0; i < s.Length; i++)
            {
                if (s[i] == '%')
                {
                    sb.Append((char)((Unhex(s[i + 1]) << 4) | Unhex(s[i + 2])));
                    i += 2;
                }
                else
                {
                    sb.Append(s[i]);
                }
            }

            result = sb.ToString();
        }

        return null;
    }
}
