using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;

namespace Weft.Api.Validation.Traffic;

/// <summary>Istio's rules for HTTP header names, header values (Envoy's format syntax) and header operations.</summary>
internal static class HttpHeaders
{
    private const string JwtClaimPrefix = "@request.auth.claims";

    /// <summary>RFC 7230 token characters.</summary>
    public static bool IsToken(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True for <c>@request.auth.claims.x</c> and <c>@request.auth.claims[x]</c> (jwt.ToRoutingClaim).</summary>
    public static bool IsJwtClaimRoute(string name)
    {
        if (!name.StartsWith(JwtClaimPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = name.AsSpan(JwtClaimPrefix.Length);
        return (rest.Length > 1 && rest[0] == '.') || (rest.Length > 2 && rest[0] == '[' && rest[^1] == ']');
    }

    /// <summary>A header match key: a JWT claim route, an HTTP/2 pseudo header, or a token.</summary>
    public static string? ValidateMatchName(string name)
    {
        if (name.Length == 0)
        {
            return "header name cannot be empty";
        }

        if (IsJwtClaimRoute(name) || name is ":method" or ":scheme" or ":authority" or ":path" or ":status")
        {
            return null;
        }

        return IsToken(name) ? null : $"header name {name} is not a valid header name";
    }

    /// <summary>A CORS allow/expose header: '*' or a token.</summary>
    public static string? ValidateCorsName(string name)
    {
        if (name.Length == 0)
        {
            return "header name cannot be empty";
        }

        return name == "*" || IsToken(name) ? null : $"header name {name} is not a valid header name";
    }

    private static bool IsInternal(string name) => name.StartsWith(':') || name.Equals("host", StringComparison.OrdinalIgnoreCase);

    public static bool IsAuthority(string name) =>
        name.Equals(":authority", StringComparison.OrdinalIgnoreCase) || name.Equals("host", StringComparison.OrdinalIgnoreCase);

    /// <summary>A request header to add or set: no ':' pseudo header except the authority.</summary>
    public static string? ValidateRequestSetName(string name)
    {
        if (name.Length == 0)
        {
            return "header name cannot be empty";
        }

        return IsInternal(name) && !IsAuthority(name) ? $"invalid header {GoStrconv.Quote(name)}: header cannot have \":\" prefix" : null;
    }

    /// <summary>A request header to remove, or any response header operation: not Host, no ':' prefix.</summary>
    public static string? ValidateOperationName(string name)
    {
        if (name.Length == 0)
        {
            return "header name cannot be empty";
        }

        if (name.Equals("host", StringComparison.OrdinalIgnoreCase))
        {
            return $"invalid header {GoStrconv.Quote(name)}: cannot set Host header";
        }

        return IsInternal(name) ? $"invalid header {GoStrconv.Quote(name)}: header cannot have \":\" prefix" : null;
    }

    /// <summary>Istio's <c>ValidateHTTPHeaderValue</c>: no control characters, and Envoy's %VARIABLE% syntax well formed.</summary>
    public static string? ValidateValue(string value)
    {
        foreach (var c in value)
        {
            if (c is (>= '\u0000' and <= '\u0008') or (>= '\u000a' and <= '\u001f') or '\u007f')
            {
                return $"header value configuration {value} is invalid";
            }
        }

        return ValidateEnvoyFormat(value) is { } error ? "header value configuration: " + error : null;
    }

    // Envoy's header_parser state machine: literals, %VAR%, %VAR(args)% with an optional JSON string array.
    private static string? ValidateEnvoyFormat(string value)
    {
        const int literal = 0, variableName = 1, expectArray = 2, expectString = 3, inString = 4, expectDelimiterOrEnd = 5,
            expectArgsEnd = 6, expectVariableEnd = 7;
        var state = literal;
        for (var pos = 0; pos < value.Length; pos++)
        {
            var ch = value[pos];
            var hasNext = pos + 1 < value.Length;
            switch (state)
            {
                case literal:
                    if (ch != '%')
                    {
                        break;
                    }

                    if (!hasNext)
                    {
                        return "invalid header configuration. Un-escaped %";
                    }

                    if (value[pos + 1] == '%')
                    {
                        pos++;
                        break;
                    }

                    state = variableName;
                    break;
                case variableName:
                    if (ch == '%')
                    {
                        state = literal;
                    }
                    else if (ch == '(')
                    {
                        state = expectArray;
                    }

                    break;
                case expectArray:
                    if (ch == '[')
                    {
                        state = expectString;
                    }
                    else if (ch != ' ')
                    {
                        state = inString;
                    }

                    break;
                case expectDelimiterOrEnd:
                    if (ch == ',')
                    {
                        state = expectString;
                    }
                    else if (ch == ']')
                    {
                        state = expectArgsEnd;
                    }
                    else if (ch != ' ')
                    {
                        return "invalid header configuration. Expecting ',', ']', or whitespace";
                    }

                    break;
                case expectString:
                    if (ch == '"')
                    {
                        state = inString;
                    }
                    else if (ch != ' ')
                    {
                        return "invalid header configuration. Expecting '\"'";
                    }

                    break;
                case inString:
                    if (ch == '\\')
                    {
                        if (!hasNext)
                        {
                            return "invalid header configuration. Un-terminated backslash in JSON string";
                        }

                        pos++;
                    }
                    else if (ch == ')')
                    {
                        state = expectVariableEnd;
                    }
                    else if (ch == '"')
                    {
                        state = expectDelimiterOrEnd;
                    }

                    break;
                case expectArgsEnd:
                    if (ch == ')')
                    {
                        state = expectVariableEnd;
                    }
                    else if (ch != ' ')
                    {
                        return "invalid header configuration. Expecting ')' or whitespace after '{}', but found '{}'";
                    }

                    break;
                case expectVariableEnd:
                    if (ch == '%')
                    {
                        state = literal;
                    }
                    else if (ch != ' ')
                    {
                        return "invalid header configuration. Expecting '%' or whitespace after";
                    }

                    break;
            }
        }

        return state != literal ? $"invalid header configuration. Un-terminated variable expression '{value}'" : null;
    }

    /// <summary>Checks request and response header operations under <paramref name="path"/> (a <c>headers</c> field).</summary>
    public static void ValidateOperations(ValidationContext context, string path, Headers? headers)
    {
        if (headers is null)
        {
            return;
        }

        if (headers.Request is { } request)
        {
            var p = path + ".request";
            CheckMap(context, p + ".add", request.Add, ValidateRequestSetName);
            CheckMap(context, p + ".set", request.Set, ValidateRequestSetName);
            CheckList(context, p + ".remove", request.Remove);
        }

        if (headers.Response is { } response)
        {
            var p = path + ".response";
            CheckMap(context, p + ".add", response.Add, ValidateOperationName);
            CheckMap(context, p + ".set", response.Set, ValidateOperationName);
            CheckList(context, p + ".remove", response.Remove);
        }
    }

    private static void CheckMap(ValidationContext context, string path, IReadOnlyDictionary<string, string>? map, Func<string, string?> nameRule)
    {
        if (map is null)
        {
            return;
        }

        foreach (var (name, value) in map)
        {
            if (nameRule(name) is { } nameError)
            {
                context.Error($"{path}[{name}]", nameError);
            }

            if (ValidateValue(value) is { } valueError)
            {
                context.Error($"{path}[{name}]", valueError);
            }
        }
    }

    private static void CheckList(ValidationContext context, string path, IReadOnlyList<string>? names)
    {
        if (names is null)
        {
            return;
        }

        for (var i = 0; i < names.Count; i++)
        {
            if (ValidateOperationName(names[i]) is { } error)
            {
                context.Error($"{path}[{i}]", error);
            }
        }
    }
}
