namespace Weft.Api.GoCompat;

/// <summary>Go's <c>net</c> package, where Istio's messages depend on its exact behaviour.</summary>
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

    private static string AddressError(string address, string why) => $"address {address}: {why}";
}
