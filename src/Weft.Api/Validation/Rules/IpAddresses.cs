using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// IP addresses and CIDR blocks as Go's <c>net/netip</c> parses them (which Istio uses): dotted-quad IPv4 without
/// leading zeros, IPv6 with <c>::</c>, an embedded IPv4 tail and an optional <c>%zone</c>; prefixes without zones.
/// </summary>
internal static class IpAddresses
{
    /// <summary><c>netip.ParseAddr</c> succeeds.</summary>
    public static bool IsValidAddress(string text) => TryParse(text, out _, out _);

    /// <summary>Istio's <c>ValidateIPAddress</c>: null when valid, else the message.</summary>
    public static string? ValidateAddress(string text) => IsValidAddress(text) ? null : $"{text} is not a valid IP";

    /// <summary><c>netip.ParsePrefix</c> succeeds.</summary>
    public static bool IsValidPrefix(string text)
    {
        var slash = text.LastIndexOf('/');
        if (slash < 0 || !TryParse(text[..slash], out var isV6, out var hasZone))
        {
            return false;
        }

        if (isV6 && hasZone)
        {
            return false;
        }

        var bits = text.AsSpan(slash + 1);
        if (bits.Length > 1 && bits[0] is < '1' or > '9')
        {
            return false;
        }

        if (!GoStrconv.TryAtoi(bits, out var n))
        {
            return false;
        }

        return n >= 0 && n <= (isV6 ? 128 : 32);
    }

    /// <summary>Istio's <c>ValidateIPSubnet</c>: a CIDR block when the text has one '/', else an address.</summary>
    public static string? ValidateSubnet(string text)
    {
        var slashes = 0;
        foreach (var c in text)
        {
            if (c == '/')
            {
                slashes++;
            }
        }

        if (slashes == 1)
        {
            return IsValidPrefix(text) ? null : $"{text} is not a valid CIDR block";
        }

        return ValidateAddress(text);
    }

    private static bool TryParse(string text, out bool isV6, out bool hasZone)
    {
        isV6 = false;
        hasZone = false;
        foreach (var c in text)
        {
            switch (c)
            {
                case '.':
                    return ParseV4(text.AsSpan());
                case ':':
                    isV6 = true;
                    return ParseV6(text, out hasZone);
                case '%':
                    return false;
            }
        }

        return false;
    }

    private static bool ParseV4(ReadOnlySpan<char> s)
    {
        var val = 0;
        var pos = 0;
        var digits = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is >= '0' and <= '9')
            {
                if (digits == 1 && val == 0)
                {
                    return false;
                }

                val = (val * 10) + (c - '0');
                digits++;
                if (val > 255)
                {
                    return false;
                }
            }
            else if (c == '.')
            {
                if (i == 0 || i == s.Length - 1 || s[i - 1] == '.' || pos == 3)
                {
                    return false;
                }

                pos++;
                val = 0;
                digits = 0;
            }
            else
            {
                return false;
            }
        }

        return pos == 3;
    }

    private static bool ParseV6(string text, out bool hasZone)
    {
        hasZone = false;
        var s = text.AsSpan();
        var percent = text.IndexOf('%', StringComparison.Ordinal);
        var zoneLength = 0;
        if (percent >= 0)
        {
            zoneLength = text.Length - percent - 1;
            if (zoneLength == 0)
            {
                return false;
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
                return true;
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
                int d;
                if (c is >= '0' and <= '9')
                {
                    d = c - '0';
                }
                else if (c is >= 'a' and <= 'f')
                {
                    d = c - 'a' + 10;
                }
                else if (c is >= 'A' and <= 'F')
                {
                    d = c - 'A' + 10;
                }
                else
                {
                    break;
                }

                acc = (acc << 4) + (uint)d;
                if (off > 3 || acc > ushort.MaxValue)
                {
                    return false;
                }
            }

            if (off == 0)
            {
                return false;
            }

            if (off < s.Length && s[off] == '.')
            {
                if ((ellipsis < 0 && i != 12) || i + 4 > 16)
                {
                    return false;
                }

                if (!ParseV4(s))
                {
                    return false;
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

            if (s[0] != ':' || s.Length == 1)
            {
                return false;
            }

            s = s[1..];
            if (s[0] == ':')
            {
                if (ellipsis >= 0)
                {
                    return false;
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
            return false;
        }

        if (i < 16)
        {
            return ellipsis >= 0;
        }

        return ellipsis < 0;
    }
}
