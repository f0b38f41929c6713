namespace Weft.Api.Validation.Workloads;

/// <summary>The pieces of Go's standard library whose exact behaviour Istio's messages depend on.</summary>
internal static class GoNet
{
    /// <summary>
    /// Go's <c>net.SplitHostPort</c>: "host:port", "[ipv6]:port" or ":port". On failure host and port are empty and
    /// the error reads as Go's (<c>address X: missing port in address</c>).
    /// </summary>
    public static string? SplitHostPort(string hostport, out string host, out string port)
    {
        host = string.Empty;
        port = string.Empty;
        var i = hostport.LastIndexOf(':');
        if (i < 0)
        {
            return AddressError(hostport, "missing port in address");
        }

        int j = 0, k = 0;
        string h;
        if (hostport[0] == '[')
        {
            var end = hostport.IndexOf(']', StringComparison.Ordinal);
            if (end < 0)
            {
                return AddressError(hostport, "missing ']' in address");
            }

            if (end + 1 == hostport.Length)
            {
                return AddressError(hostport, "missing port in address");
            }

            if (end + 1 != i)
            {
                return AddressError(hostport, hostport[end + 1] == ':' ? "too many colons in address" : "missing port in address");
            }

            h = hostport[1..end];
            j = 1;
            k = end + 1;
        }
        else
        {
            h = hostport[..i];
            if (h.Contains(':', StringComparison.Ordinal))
            {
                return AddressError(hostport, "too many colons in address");
            }
        }

        if (hostport.IndexOf('[', j) >= 0)
        {
            return AddressError(hostport, "unexpected '[' in address");
        }

        if (hostport.IndexOf(']', k) >= 0)
        {
            return AddressError(hostport, "unexpected ']' in address");
        }

        host = h;
        port = hostport[(i + 1)..];
        return null;
    }

    /// <summary>Go's <c>strconv.Atoi</c> on 64-bit: an optional sign and decimal digits. Null when parsed, else Go's error.</summary>
    public static string? Atoi(string text, out long value)
    {
        value = 0;
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.Length == 0)
        {
            return $"strconv.Atoi: parsing \"{text}\": invalid syntax";
        }

        ulong acc = 0;
        var overflow = false;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return $"strconv.Atoi: parsing \"{text}\": invalid syntax";
            }

            if (!overflow)
            {
                // 2^63 / 10 < acc means acc * 10 exceeds any int64 magnitude; checking first keeps the ulong from wrapping.
                overflow = acc > ((ulong)long.MaxValue + 1) / 10;
                acc = overflow ? acc : (acc * 10) + (ulong)(c - '0');
                overflow |= acc > (ulong)long.MaxValue + 1;
            }
        }

        if (overflow || (!negative && acc > long.MaxValue))
        {
            return $"strconv.Atoi: parsing \"{text}\": value out of range";
        }

        value = negative ? (long)(0 - acc) : (long)acc;
        return null;
    }

    private static string AddressError(string address, string why) => $"address {address}: {why}";
}
