using Weft.Api.GoCompat;

namespace Weft.Api.GoCompat;

/// <summary>
/// IP addresses and CIDR prefixes exactly as Go's <c>net/netip</c> parses them (<c>ParseAddr</c>, <c>ParsePrefix</c>),
/// which Istio's validation and net/url's bracketed hosts use. Stricter than <see cref="System.Net.IPAddress"/>: no
/// leading zeros in IPv4 octets, no shortened IPv4 forms, zones only on IPv6. Errors carry Go's message text.
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
    public static string? ParseAddr(string s, out Family family, out bool hasZone) => ParseAddr(s, describe: true, out family, out hasZone);

    public static string? ParseAddr(string s) => ParseAddr(s, describe: true, out _, out _);

    /// <summary><c>netip.ParseAddr</c> succeeds.</summary>
    public static bool IsValidAddress(string s) => ParseAddr(s, describe: false, out _, out _) is null;

    /// <summary>Parses <c>addr/bits</c>; returns null when valid, else Go's error text (<c>netip.ParsePrefix("..."): ...</c>).</summary>
    public static string? ParsePrefix(string s) => ParsePrefix(s, describe: true);

    /// <summary><c>netip.ParsePrefix</c> succeeds (host bits may be set).</summary>
    public static bool IsValidPrefix(string s) => ParsePrefix(s, describe: false) is null;

    // Most callers only ask whether text is an address (host names mostly are not); they get this instead of a message.
    private const string Invalid = "invalid";

    private static string? ParseAddr(string s, bool describe, out Family family, out bool hasZone)
    {
        family = Family.None;
        hasZone = false;
        foreach (var c in s)
        {
            switch (c)
            {
                case '.':
                    family = Family.V4;
                    return ParseIPv4Fields(s, 0, s.Length, describe);
                case ':':
                    family = Family.V6;
                    return ParseIPv6(s, describe, out hasZone);
                case '%':
                    return AddrError(describe, s, "missing IPv6 address");
            }
        }

        return AddrError(describe, s, "unable to parse IP");
    }

    private static string? ParsePrefix(string s, bool describe)
    {
        var slash = s.LastIndexOf('/');
        if (slash < 0)
        {
            return PrefixError(describe, s, "no '/'");
        }

        if (ParseAddr(s[..slash], describe, out var family, out var zone) is { } addrError)
        {
            return PrefixError(describe, s, addrError);
        }

        if (family == Family.V6 && zone)
        {
            return PrefixError(describe, s, "IPv6 zones cannot be present in a prefix");
        }

        // Atoi takes a sign and leading zeros; a prefix length may have neither.
        var bits = s[(slash + 1)..];
        if ((bits.Length > 1 && bits[0] is < '1' or > '9') || !GoStrconv.TryAtoi(bits, out var n))
        {
            return describe ? PrefixError(describe, s, "bad bits after slash: " + GoStrconv.Quote(bits)) : Invalid;
        }

        var max = family == Family.V6 ? 128 : 32;
        return n < 0 || n > max ? PrefixError(describe, s, "prefix length out of range") : null;
    }

    private static string PrefixError(bool describe, string input, string message) =>
        describe ? $"netip.ParsePrefix({GoStrconv.Quote(input)}): {message}" : Invalid;

    private static string AddrError(bool describe, string input, string message) =>
        describe ? $"ParseAddr({GoStrconv.Quote(input)}): {message}" : Invalid;

    private static string AddrError(bool describe, string input, string message, ReadOnlySpan<char> at) =>
        !describe ? Invalid
            : at.IsEmpty ? AddrError(describe, input, message)
            : $"ParseAddr({GoStrconv.Quote(input)}): {message} (at {GoStrconv.Quote(at.ToString())})";

    private static string? ParseIPv4Fields(string input, int off, int end, bool describe)
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
                    return AddrError(describe, input, "IPv4 field has octet with leading zero");
                }

                val = (val * 10) + (c - '0');
                digits++;
                if (val > 255)
                {
                    return AddrError(describe, input, "IPv4 field has value >255");
                }
            }
            else if (c == '.')
            {
                if (i == 0 || i == s.Length - 1 || s[i - 1] == '.')
                {
                    return AddrError(describe, input, "IPv4 field must have at least one digit", s[i..]);
                }

                if (pos == 3)
                {
                    return AddrError(describe, input, "IPv4 address too long");
                }

                pos++;
                val = 0;
                digits = 0;
            }
            else
            {
                return AddrError(describe, input, "unexpected character", s[i..]);
            }
        }

        return pos < 3 ? AddrError(describe, input, "IPv4 address too short") : null;
    }

    private static string? ParseIPv6(string input, bool describe, out bool hasZone)
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
                return AddrError(describe, input, "zone must be a non-empty string");
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
                    return AddrError(describe, input, "each group must have 4 or less digits", s);
                }

                if (acc > 0xFFFF)
                {
                    return AddrError(describe, input, "IPv6 field has value >=2^16", s);
                }
            }

            if (off == 0)
            {
                return AddrError(describe, input, "each colon-separated field must have at least one digit", s);
            }

            if (off < s.Length && s[off] == '.')
            {
                if (ellipsis < 0 && i != 12)
                {
                    return AddrError(describe, input, "embedded IPv4 address must replace the final 2 fields of the address", s);
                }

                if (i + 4 > 16)
                {
                    return AddrError(describe, input, "too many hex fields to fit an embedded IPv4 at the end of the address", s);
                }

                var end = input.Length - (zoneLength > 0 ? zoneLength + 1 : 0);
                if (ParseIPv4Fields(input, end - s.Length, end, describe) is { } v4Error)
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
                return AddrError(describe, input, "unexpected character, want colon", s);
            }

            if (s.Length == 1)
            {
                return AddrError(describe, input, "colon must be followed by more characters", s);
            }

            s = s[1..];
            if (s[0] == ':')
            {
                if (ellipsis >= 0)
                {
                    return AddrError(describe, input, "multiple :: in address", s);
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
            return AddrError(describe, input, "trailing garbage after address", s);
        }

        if (i < 16)
        {
            return ellipsis < 0 ? AddrError(describe, input, "address string too short") : null;
        }

        return ellipsis >= 0 ? AddrError(describe, input, "the :: must expand to at least one field of zeros") : null;
    }
}
