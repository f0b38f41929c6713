namespace Weft.Api.Validation.Rules;

/// <summary>
/// IP addresses and prefixes parsed exactly as Go's <c>net/netip</c> parses them (Istio's <c>ValidateIPAddress</c>,
/// <c>ValidateIPSubnet</c>, <c>IsValidIPAddress</c>): dotted decimal IPv4 without leading zeros, IPv6 with at most one
/// <c>::</c>, an optional embedded IPv4 tail and an optional <c>%zone</c>; no brackets, no shorthand forms.
/// </summary>
internal static class IpAddressSyntax
{
    /// <summary>True when Go's <c>netip.ParseAddr</c> accepts <paramref name="text"/>.</summary>
    public static bool IsValidAddress(string text) => TryParseAddress(text, out _, out _);

    /// <summary>Istio's <c>ValidateIPAddress</c>: null when valid, else its message.</summary>
    public static string? ValidateAddress(string text) => IsValidAddress(text) ? null : $"{text} is not a valid IP";

    /// <summary>Istio's <c>ValidateIPSubnet</c>: a CIDR block when the text holds exactly one '/', else an address.</summary>
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

    /// <summary>True when Go's <c>netip.ParsePrefix</c> accepts <paramref name="text"/> (host bits may be set).</summary>
    public static bool IsValidPrefix(string text)
    {
        var slash = text.LastIndexOf('/');
        if (slash < 0 || !TryParseAddress(text[..slash], out var isV6, out var hasZone) || hasZone)
        {
            return false;
        }

        var bits = text.AsSpan(slash + 1);
        if (bits.Length == 0 || (bits.Length > 1 && bits[0] is < '1' or > '9'))
        {
            return false;
        }

        var value = 0;
        foreach (var c in bits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
            if (value > 128)
            {
                return false;
            }
        }

        return value <= (isV6 ? 128 : 32);
    }

    private static bool TryParseAddress(string text, out bool isV6, out bool hasZone)
    {
        isV6 = false;
        hasZone = false;
        foreach (var c in text)
        {
            switch (c)
            {
                case '.':
                    return ParseV4(text);
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
        var value = 0;
        var digits = 0;
        var dots = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c))
            {
                if (digits == 1 && value == 0)
                {
                    return false; // leading zero
                }

                value = (value * 10) + (c - '0');
                digits++;
                if (value > 255)
                {
                    return false;
                }
            }
            else if (c == '.')
            {
                if (i == 0 || i == s.Length - 1 || s[i - 1] == '.' || dots == 3)
                {
                    return false;
                }

                dots++;
                value = 0;
                digits = 0;
            }
            else
            {
                return false;
            }
        }

        return dots == 3;
    }

    private static bool ParseV6(ReadOnlySpan<char> s, out bool hasZone)
    {
        hasZone = false;
        var percent = s.IndexOf('%');
        if (percent >= 0)
        {
            if (percent == s.Length - 1)
            {
                return false; // empty zone
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

        var filled = 0;
        while (filled < 16)
        {
            var off = 0;
            var acc = 0;
            for (; off < s.Length; off++)
            {
                var digit = HexValue(s[off]);
                if (digit < 0)
                {
                    break;
                }

                acc = (acc << 4) + digit;
                if (off > 3 || acc > 0xFFFF)
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
                if ((ellipsis < 0 && filled != 12) || filled + 4 > 16 || !ParseV4(s))
                {
                    return false;
                }

                filled += 4;
                s = [];
                break;
            }

            filled += 2;
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
            return false;
        }

        return filled < 16 ? ellipsis >= 0 : ellipsis < 0;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
