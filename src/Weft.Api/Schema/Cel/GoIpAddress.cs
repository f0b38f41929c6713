namespace Weft.Api.Schema.Cel;

/// <summary>
/// The address syntax of Go's netip.ParseAddr, which net/url applies to bracketed hosts: strict dotted
/// IPv4 (no leading zeros) and IPv6 with at most one "::", an optional trailing IPv4 part and an optional zone.
/// </summary>
internal static class GoIpAddress
{
    /// <summary>Null when <paramref name="s"/> is an address (IPv4 when <paramref name="isIPv4"/>); otherwise why not.</summary>
    public static string? Check(string s, out bool isIPv4)
    {
        isIPv4 = false;
        foreach (var c in s)
        {
            switch (c)
            {
                case '.':
                    isIPv4 = true;
                    return CheckIPv4(s, s);
                case ':':
                    return CheckIPv6(s);
                case '%':
                    return Error(s, "missing IPv6 address");
            }
        }

        return Error(s, "unable to parse IP");
    }

    private static string Error(string input, string message) => $"ParseAddr(\"{input}\"): {message}";

    private static string? CheckIPv4(string input, string s)
    {
        var fields = 0;
        var digits = 0;
        var value = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c))
            {
                if (digits == 1 && value == 0)
                {
                    return Error(input, "IPv4 field has octet with leading zero");
                }

                value = (value * 10) + (c - '0');
                digits++;
                if (value > 255)
                {
                    return Error(input, "IPv4 field has value >255");
                }
            }
            else if (c == '.')
            {
                if (i == 0 || i == s.Length - 1 || s[i - 1] == '.')
                {
                    return Error(input, "IPv4 field must have at least one digit");
                }

                if (fields == 3)
                {
                    return Error(input, "IPv4 address too long");
                }

                fields++;
                value = 0;
                digits = 0;
            }
            else
            {
                return Error(input, "unexpected character");
            }
        }

        return fields < 3 ? Error(input, "IPv4 address too short") : null;
    }

    private static string? CheckIPv6(string input)
    {
        var s = input;
        var zoneAt = s.IndexOf('%', StringComparison.Ordinal);
        if (zoneAt >= 0)
        {
            if (zoneAt == s.Length - 1)
            {
                return Error(input, "zone must be a non-empty string");
            }

            s = s[..zoneAt];
        }

        var ellipsis = -1;
        var filled = 0;
        if (s.StartsWith("::", StringComparison.Ordinal))
        {
            ellipsis = 0;
            s = s[2..];
            if (s.Length == 0)
            {
                return null;
            }
        }

        while (filled < 16)
        {
            var length = 0;
            while (length < s.Length && char.IsAsciiHexDigit(s[length]))
            {
                length++;
                if (length > 4)
                {
                    return Error(input, "each group must have 4 or less digits");
                }
            }

            if (length == 0)
            {
                return Error(input, "each colon-separated field must have at least one digit");
            }

            if (length < s.Length && s[length] == '.')
            {
                if (ellipsis < 0 && filled != 12)
                {
                    return Error(input, "embedded IPv4 address must replace the final 2 fields of the address");
                }

                if (filled + 4 > 16)
                {
                    return Error(input, "too many hex fields to fit an embedded IPv4 at the end of the address");
                }

                if (CheckIPv4(input, s) is { } error)
                {
                    return error;
                }

                filled += 4;
                s = string.Empty;
                break;
            }

            filled += 2;
            s = s[length..];
            if (s.Length == 0)
            {
                break;
            }

            if (s[0] != ':')
            {
                return Error(input, "unexpected character, want colon");
            }

            if (s.Length == 1)
            {
                return Error(input, "colon must be followed by more characters");
            }

            s = s[1..];
            if (s[0] == ':')
            {
                if (ellipsis >= 0)
                {
                    return Error(input, "multiple :: in address");
                }

                ellipsis = filled;
                s = s[1..];
                if (s.Length == 0)
                {
                    break;
                }
            }
        }

        if (s.Length != 0)
        {
            return Error(input, "trailing garbage after address");
        }

        if (filled < 16)
        {
            return ellipsis < 0 ? Error(input, "address string too short") : null;
        }

        return ellipsis >= 0 ? Error(input, "the :: must expand to at least one field of zeros") : null;
    }
}
