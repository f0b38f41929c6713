using System.Globalization;
using Weft.Control.Registry;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// The addresses an outbound TCP listener serves a service on: each IP or CIDR it declares (a full-length prefix
/// counts as its IP, as Istio's ServiceEntry conversion does), or the wildcard for a service without addresses.
/// Anything else a ServiceEntry lists is ignored.
/// </summary>
internal static class ServiceListenAddresses
{
    public static List<string> For(MeshService service, string wildcard)
    {
        var result = new List<string>();
        foreach (var address in service.Addresses)
        {
            if (ProxyAddresses.IsIp(address))
            {
                result.Add(address);
            }
            else if (ChainOptions.ToCidrRange(address) is { } range)
            {
                var full = range.PrefixLen == (range.AddressPrefix.Contains(':', StringComparison.Ordinal) ? 128u : 32u);
                result.Add(full ? range.AddressPrefix : string.Create(CultureInfo.InvariantCulture, $"{range.AddressPrefix}/{range.PrefixLen}"));
            }
        }

        if (result.Count == 0)
        {
            result.Add(wildcard);
        }

        return result;
    }
}
