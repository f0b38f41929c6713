using System.Text;

namespace Weft.Api.GoCompat;

/// <summary>
/// Percent-escaping rules of Go's net/url. Strings here are byte strings (see <see cref="GoStrings"/>): each char
/// holds one byte of the UTF-8 encoding, so that the byte-oriented rules apply exactly.
/// </summary>
internal static class GoUrlEscaping
{
    public static bool ShouldEscape(char c, GoUrlEncoding mode)
    {
        if (char.IsAsciiLetterOrDigit(c))
        {
            return false;
        }

        if (mode is GoUrlEncoding.Host or GoUrlEncoding.Zone
            && c is '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or ':' or '[' or ']' or '<' or '>' or '"')
        {
            return false;
        }

        switch (c)
        {
            case '-' or '_' or '.' or '~':
                return false;
            case '$' or '&' or '+' or ',' or '/' or ':' or ';' or '=' or '?' or '@':
                switch (mode)
                {
                    // Only '?' would end a path; '/', ';' and ',' carry meaning only between segments.
                    case GoUrlEncoding.Path:
                        return c == '?';
                    case GoUrlEncoding.PathSegment:
                        return c is '/' or ';' or ',' or '?';
                    case GoUrlEncoding.UserPassword:
                        return c is '@' or '/' or '?' or ':';
                    case GoUrlEncoding.QueryComponent:
                        return true;
                    case GoUrlEncoding.Fragment:
                        return false;
                }

                break;
        }

        if (mode == GoUrlEncoding.Fragment && c is '!' or '(' or ')' or '*')
        {
            return false;
        }

        return true;
    }

    /// <summary>Decodes %XX escapes (and '+' in query components); null with <paramref name="error"/> when malformed.</summary>
    public static string? Unescape(string s, GoUrlEncoding mode, out string? error)
    {
        error = null;
        var escapes = 0;
        var plus = false;
        for (var i = 0; i < s.Length;)
        {
            switch (s[i])
            {
                case '%':
                    escapes++;
                    if (i + 2 >= s.Length || !char.IsAsciiHexDigit(s[i + 1]) || !char.IsAsciiHexDigit(s[i + 2]))
                    {
                        error = EscapeError(s.Substring(i, Math.Min(3, s.Length - i)));
                        return null;
                    }

                    // In a host only non-ASCII bytes may be escaped, except %25 before an IPv6 zone.
                    if (mode == GoUrlEncoding.Host && HexValue(s[i + 1]) < 8 && s.Substring(i, 3) != "%25")
                    {
                        error = EscapeError(s.Substring(i, 3));
                        return null;
                    }

                    if (mode == GoUrlEncoding.Zone)
                    {
                        var b = (char)((HexValue(s[i + 1]) << 4) | HexValue(s[i + 2]));
                        if (s.Substring(i, 3) != "%25" && b != ' ' && ShouldEscape(b, GoUrlEncoding.Host))
                        {
                            error = EscapeError(s.Substring(i, 3));
                            return null;
                        }
                    }

                    i += 3;
                    break;
                case '+':
                    plus = mode == GoUrlEncoding.QueryComponent;
                    i++;
                    break;
                default:
                    if (mode is GoUrlEncoding.Host or GoUrlEncoding.Zone && s[i] < 0x80 && ShouldEscape(s[i], mode))
                    {
                        error = "invalid character " + GoStrconv.Quote(s[i].ToString()) + " in host name";
                        return null;
                    }

                    i++;
                    break;
            }
        }

        if (escapes == 0 && !plus)
        {
            return s;
        }

        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            switch (s[i])
            {
                case '%':
                    sb.Append((char)((HexValue(s[i + 1]) << 4) | HexValue(s[i + 2])));
                    i += 2;
                    break;
                case '+':
                    sb.Append(mode == GoUrlEncoding.QueryComponent ? ' ' : '+');
                    break;
                default:
                    sb.Append(s[i]);
                    break;
            }
        }

        return sb.ToString();
    }

    public static string Escape(string s, GoUrlEncoding mode)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (!ShouldEscape(c, mode))
            {
                sb.Append(c);
            }
            else if (c == ' ' && mode == GoUrlEncoding.QueryComponent)
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append("0123456789ABCDEF"[c >> 4]).Append("0123456789ABCDEF"[c & 15]);
            }
        }

        return sb.ToString();
    }

    /// <summary>Whether an escaped path needs no re-escaping (RFC 3986 pchar plus the brackets browsers leave alone).</summary>
    public static bool ValidEncoded(string s, GoUrlEncoding mode)
    {
        foreach (var c in s)
        {
            if (c is '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or ':' or '@' or '[' or ']' or '%')
            {
                continue;
            }

            if (ShouldEscape(c, mode))
            {
                return false;
            }
        }

        return true;
    }

    private static string EscapeError(string escape) => "invalid URL escape " + GoStrconv.QuoteBytes(escape);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };
}
