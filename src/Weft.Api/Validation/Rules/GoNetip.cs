using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// IP addresses and CIDR prefixes exactly as Go's <c>net/netip</c> parses them (<c>ParseAddr</c>, <c>ParsePrefix</c>),
/// which is what Istio's validation calls. Stricter than <see cref="System.Net.IPAddress"/>: no leading zeros in IPv4
/// octets, no shortened IPv4 forms, zones only on IPv6. Errors carry Go's message text.
/// </summary>
internal static class GoNetip
{
    public enum Family
    {
        None,
        V4,
        V6,
    }

    /// <summary>Parses an address; returns null when valid (with its family and whether it has a zone), else Go's error text.</summary>
    public static string? ParseAddr(string s, out Family family, out bool hasZone)
    {
        family = Family.None;
        hasZone = false;
        foreach (var c in s)
        {
            switch (c)
            {
                case '.':
                    family = Family.V4;
                    return ParseIPv4Fields(s, 0, s.Length);
                case ':':
                    family = Family.V6;
                    return ParseIPv6(s, out hasZone);
                case '%':
                    return AddrError(s, "missing IPv6 address");
            }
        }

        return AddrError(s, "unable to parse IP");
    }

    public static string? ParseAddr(string s) => ParseAddr(s, out _, out _);

    /// <summary>Parses <c>addr/bits</c>; returns null when valid, else Go's error text (<c>netip.ParsePrefix("..."): ...</c>).</summary>
    public static string? ParsePrefix(string s)
    {
        var slash = s.LastIndexOf('/');
        if (slash < 0)
        {
            return PrefixError(s, "no '/'");
        }

        if (ParseAddr(s[..slash], out var family, out var zone) is { } addrError)
        {
            return PrefixError(s, addrError);
        }

        if (family == Family.V6 && zone)
        {
            return PrefixError(s, "IPv6 zones cannot be present in a prefix");
        }

        var bits = s[(slash + 1)..];
        if (bits.Length > 1 && bits[0] is < '1' or > '9')
        {
            return PrefixError(s, "bad bits after slash: " + GoStrconv.Quote(bits));
        }

        if (GoStrconv.Atoi(bits, out var n) is not null)
        {
            return PrefixError(s, "bad bits after slash: " + GoStrconv.Quote(bits));
        }

        var max = family == Family.V6 ? 128 : 32;
        return n < 0 || n > max ? PrefixError(s, "prefix length out of range") : null;
    }

    private static string PrefixError(string input, string message) => $"netip.ParsePrefix({GoStrconv.Quote(input)}): {message}";

    private static string AddrError(string input, string message, string? at = null) =>
        string.IsNullOrEmpty(at)
            ? $"ParseAddr({GoStrconv.Quote(input)}): {message}"
            : $"ParseAddr({GoStrconv.Quote(input)}): {message} (at {GoStrconv.Quote(at)})";

    private static string? ParseIPv4Fields(string input, int off, int end)
    {
        var val = 0;
        var pos = 0;
        var digits = 0;
        var s = input.AsSpan(off, end - off);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is >= '0' and <= '9')
            {
                if (digits == 1 && val == 0)
                {
                    return AddrError(input, "IPv4 field has octet with leading zero");
                }

                val = (val * 10) + (c - '0');
                digits++;
                if (val > 255)
                {
                    return AddrError(input, "IPv4 field has value >255");
                }
            }
            else if (c == '.')
            {
                if (i == 0 || i == s.Length - 1 || s[i - 1] == '.')
                {
                    return AddrError(input, "IPv4 field must have at least one digit", s[i..].ToString());
                }

                if (pos == 3)
                {
                    return AddrError(input, "IPv4 address too long");
                }

                pos++;
                val = 0;
                digits = 0;
            }
            else
            {
                return AddrError(input, "unexpected character", s[i..].ToString());
            }
        }

        return pos < 3 ? AddrError(input, "IPv4 address too short") : null;
    }

    private static string? ParseIPv6(string input, out bool hasZone)
    {
        hasZone = false;
        var s = input.AsSpan();
        var zoneLength = 0;
        var percent = input.IndexOf('%', StringComparison.Ordinal);
        if (percent >= 0)
        {
            zoneLength = input.Length - percent - 1;
            if (zoneLength == 0)
            {
                return AddrError(input, "zone must be a non-empty string");
            }

            hasZone = true;
            s = s[..percent];
        }

        var ellipsis = -1;
        if (s.Length >= 2 && s[0] == ':' && s[1] == ':')
        {
            ellipsis = 0;
            s = s[2..];
            if (s.Length == 0)
            {
                return null;
            }
        }

        var i = 0;
        while (i < 16)
        {
            var off = 0;
            uint acc = 0;
            for (; off < s.Length; off++)
            {
                var c = s[off];
                uint digit;
                if (c is >= '0' and <= '9')
                {
                    digit = (uint)(c - '0');
                }
                else if (c is >= 'a' and <= 'f')
                {
                    digit = (uint)(c - 'a' + 10);
                }
                else if (c is >= 'A' and <= 'F')
                {
                    digit = (uint)(c - 'A' + 10);
                }
                else
                {
                    break;
                }

                acc = (acc << 4) + digit;
                if (off > 3)
                {
                    return AddrError(input, "each group must have 4 or less digits", s.ToString());
                }

                if (acc > 0xFFFF)
                {
                    return AddrError(input, "IPv6 field has value >=2^16", s.ToString());
                }
            }

            if (off == 0)
            {
                return AddrError(input, "each colon-separated field must have at least one digit", s.ToString());
            }

            if (off < s.Length && s[off] == '.')
            {
                if (ellipsis < 0 && i != 12)
                {
                    return AddrError(input, "embedded IPv4 address must replace the final 2 fields of the address", s.ToString());
                }

                if (i + 4 > 16)
                {
                    return AddrError(input, "too many hex fields to fit an embedded IPv4 at the end of the address", s.ToString());
                }

                var end = input.Length - (zoneLength > 0 ? zoneLength + 1 : 0);
                if (ParseIPv4Fields(input, end - s.Length, end) is { } v4Error)
                {
                    return v4Error;
                }

                s = [];
                i += 4;
                break;
            }

            i += 2;
            s = s[off..];
            if (s.Length == 0)
            {
                break;
            }

            if (s[0] != ':')
            {
                return AddrError(input, "unexpected character, want colon", s.ToString());
            }

            if (s.Length == 1)
            {
                return AddrError(input, "colon must be followed by more characters", s.ToString());
            }

            s = s[1..];
            if (s[0] == ':')
            {
                if (ellipsis >= 0)
                {
                    return AddrError(input, "multiple :: in address", s.ToString());
                }

                ellipsis = i;
                s = s[1..];
                if (s.Length == 0)
                {
                    break;
                }
            }
        }

        if (s.Length != 0)
        {
            return AddrError(input, "trailing garbage after address", s.ToString());
        }

        if (i < 16)
        {
            return ellipsis < 0 ? AddrError(input, "address string too short") : null;
        }

        return ellipsis >= 0 ? AddrError(input, "the :: must expand to at least one field of zeros") : null;
    }
}
