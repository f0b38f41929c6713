using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Rules;

/// <summary>Istio's address checks (<c>ValidateIPAddress</c>, <c>ValidateIPSubnet</c>) on Go's <c>net/netip</c> syntax.</summary>
internal static class IpAddresses
{
    /// <summary>Istio's <c>ValidateIPAddress</c>: null when valid, else the message.</summary>
    public static string? ValidateAddress(string text) => GoNetip.IsValidAddress(text) ? null : $"{text} is not a valid IP";

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
            return GoNetip.IsValidPrefix(text) ? null : $"{text} is not a valid CIDR block";
        }

        return ValidateAddress(text);
    }
}
