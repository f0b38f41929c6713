using System.Net;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// Envoy's filter chain match: criteria are applied in order (destination port, destination IP, server name, transport
/// protocol, application protocols); at each step the chains that match the criterion most specifically are kept, and
/// chains that leave it empty are kept only when none names it (for ALPN, the client's first value any chain names
/// wins). No chain left means the default chain (if any). Source criteria are not simulated (a call has no source).
/// </summary>
internal static class FilterChainSelector
{
    public static (FilterChain? Chain, Failure Failure, string? Reason) Select(Listener listener, ConnectionFacts facts)
    {
        IReadOnlyList<FilterChain> chains = listener.FilterChains;
        chains = Narrow(chains, m => m.DestinationPort is not null, m => m.DestinationPort == facts.DestinationPort ? 0 : -1);
        chains = Narrow(chains, m => m.PrefixRanges.Count > 0, m => m.PrefixRanges.Select(r => PrefixLength(r, facts.DestinationIp)).DefaultIfEmpty(-1).Max());
        chains = Narrow(chains, m => m.ServerNames.Count > 0, m => m.ServerNames.Select(n => ServerNameScore(n, facts.ServerName)).DefaultIfEmpty(-1).Max());
        chains = Narrow(chains, m => m.TransportProtocol.Length > 0, m => m.TransportProtocol == facts.TransportProtocol ? 0 : -1);
        chains = Narrow(chains, m => m.ApplicationProtocols.Count > 0, m => AlpnScore(m, facts.ApplicationProtocols));
        return chains.Count switch
        {
            1 => (chains[0], Failure.None, null),
            0 when listener.DefaultFilterChain is { } fallback => (fallback, Failure.None, null),
            0 => (null, Failure.NoFilterChain, $"no filter chain of {listener.Name} matches {Describe(facts)} and it has no default chain"),
            _ => (null, Failure.AmbiguousFilterChain, $"filter chains {string.Join(", ", chains.Select(c => c.Name))} of {listener.Name} match {Describe(facts)} equally"),
        };
    }

    private static IReadOnlyList<FilterChain> Narrow(IReadOnlyList<FilterChain> chains, Func<FilterChainMatch, bool> names, Func<FilterChainMatch, int> score)
    {
        var best = -1;
        var specific = new List<FilterChain>();
        var general = new List<FilterChain>();
        foreach (var chain in chains)
        {
            var match = chain.FilterChainMatch ?? new FilterChainMatch();
            if (!names(match))
            {
                general.Add(chain);
                continue;
            }

            var s = score(match);
            if (s < 0 || s < best)
            {
                continue;
            }

            if (s > best)
            {
                specific.Clear();
                best = s;
            }

            specific.Add(chain);
        }

        return specific.Count > 0 ? specific : general;
    }

    /// <summary>
    /// Envoy takes the client's ALPN values in the client's order, and the first one any chain lists decides: the earlier
    /// the first of the client's values a chain lists, the higher its score; -1 when it lists none.
    /// </summary>
    private static int AlpnScore(FilterChainMatch match, IReadOnlyList<string> offered)
    {
        for (var i = 0; i < offered.Count; i++)
        {
            if (match.ApplicationProtocols.Contains(offered[i]))
            {
                return offered.Count - i;
            }
        }

        return -1;
    }

    /// <summary>The prefix length when the range holds the address, else -1.</summary>
    private static int PrefixLength(CidrRange range, string address)
    {
        if (!IPAddress.TryParse(range.AddressPrefix, out var prefix) || !IPAddress.TryParse(address, out var ip) || prefix.AddressFamily != ip.AddressFamily)
        {
            return -1;
        }

        var bits = (int)(range.PrefixLen ?? 0);
        var a = prefix.GetAddressBytes();
        var b = ip.GetAddressBytes();
        for (var i = 0; i < bits; i++)
        {
            var mask = 0x80 >> (i % 8);
            if ((a[i / 8] & mask) != (b[i / 8] & mask))
            {
                return -1;
            }
        }

        return bits;
    }

    /// <summary>An exact server name beats any wildcard; among <c>*.suffix</c> wildcards the longest suffix wins.</summary>
    private static int ServerNameScore(string pattern, string sni)
    {
        if (sni.Length == 0)
        {
            return -1;
        }

        if (string.Equals(pattern, sni, StringComparison.OrdinalIgnoreCase))
        {
            return int.MaxValue;
        }

        return pattern.StartsWith("*.", StringComparison.Ordinal) && sni.Length > pattern.Length - 1
            && sni.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase) ? pattern.Length : -1;
    }

    private static string Describe(ConnectionFacts facts) =>
        $"{facts.DestinationIp}:{facts.DestinationPort} ({facts.TransportProtocol}" +
        (facts.ServerName.Length > 0 ? $", SNI {facts.ServerName}" : string.Empty) +
        (facts.ApplicationProtocols.Count > 0 ? $", ALPN {string.Join(",", facts.ApplicationProtocols)}" : string.Empty) + ")";
}
