using System.Net;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Proxy.Snapshot.Listeners;

/// <summary>
/// Envoy's filter chain selection: criteria in a fixed order (destination port, destination IP, server name, transport
/// protocol, application protocol, direct source IP, source type, source IP, source port). At each step the chains that
/// name the connection's value most specifically are kept; only when none names it do the chains that leave it open go on.
/// There is no going back: a chain for the right port that fails later does not let a port-less chain win.
/// </summary>
internal static class FilterChainSelector
{
    public static FilterChainModel? Select(IReadOnlyList<FilterChainModel> chains, ConnectionFacts facts)
    {
        IReadOnlyList<FilterChainModel> candidates = chains;
        candidates = Narrow(candidates, c => c.Match.DestinationPort is null, c => c.Match.DestinationPort == facts.DestinationPort ? 1 : -1);
        candidates = Narrow(candidates, c => c.Match.DestinationRanges.Count == 0, c => Longest(c.Match.DestinationRanges, facts.DestinationAddress));
        candidates = Narrow(candidates, c => c.Match.ServerNames.Count == 0, c => ServerName(c.Match.ServerNames, facts.ServerName));
        candidates = Narrow(candidates, c => c.Match.TransportProtocol.Length == 0, c => c.Match.TransportProtocol == facts.TransportProtocol ? 1 : -1);
        candidates = Narrow(candidates, c => c.Match.ApplicationProtocols.Count == 0, c => Overlaps(c.Match.ApplicationProtocols, facts.ApplicationProtocols) ? 1 : -1);
        candidates = Narrow(candidates, c => c.Match.DirectSourceRanges.Count == 0, c => Longest(c.Match.DirectSourceRanges, facts.SourceAddress));
        var local = IPAddress.IsLoopback(facts.SourceAddress) || Equals(facts.SourceAddress, facts.DestinationAddress);
        candidates = Narrow(
            candidates,
            c => c.Match.SourceType == FilterChainMatch.Types.ConnectionSourceType.Any,
            c => c.Match.SourceType == (local ? FilterChainMatch.Types.ConnectionSourceType.SameIpOrLoopback : FilterChainMatch.Types.ConnectionSourceType.External) ? 1 : -1);
        candidates = Narrow(candidates, c => c.Match.SourceRanges.Count == 0, c => Longest(c.Match.SourceRanges, facts.SourceAddress));
        candidates = Narrow(candidates, c => c.Match.SourcePorts.Count == 0, c => c.Match.SourcePorts.Contains((uint)facts.SourcePort) ? 1 : -1);
        return candidates.Count > 0 ? candidates[0] : null;
    }

    /// <summary>
    /// Keeps the chains that name the value with the highest score (≥ 0), or, when none does, the chains that leave the
    /// criterion open.
    /// </summary>
    private static IReadOnlyList<FilterChainModel> Narrow(IReadOnlyList<FilterChainModel> candidates, Func<FilterChainModel, bool> open, Func<FilterChainModel, int> score)
    {
        var best = -1;
        List<FilterChainModel> specific = [];
        List<FilterChainModel> wildcard = [];
        foreach (var chain in candidates)
        {
            if (open(chain))
            {
                wildcard.Add(chain);
                continue;
            }

            var s = score(chain);
            if (s < 0 || s < best)
            {
                continue;
            }

            if (s > best)
            {
                best = s;
                specific.Clear();
            }

            specific.Add(chain);
        }

        return specific.Count > 0 ? specific : wildcard;
    }

    private static bool Overlaps(IReadOnlyList<string> wanted, IReadOnlyList<string> offered)
    {
        foreach (var protocol in offered)
        {
            if (wanted.Contains(protocol))
            {
                return true;
            }
        }

        return false;
    }

    private static int Longest(IReadOnlyList<CidrRange> ranges, IPAddress? address)
    {
        if (address is null)
        {
            return -1;
        }

        var best = -1;
        foreach (var range in ranges)
        {
            if (range.Length > best && range.Contains(address))
            {
                best = range.Length;
            }
        }

        return best;
    }

    /// <summary>An exact server name beats a wildcard (<c>*.example.com</c>), longer wildcards beat shorter ones.</summary>
    private static int ServerName(IReadOnlyList<string> names, string? serverName)
    {
        if (serverName is null)
        {
            return -1;
        }

        var best = -1;
        foreach (var name in names)
        {
            if (string.Equals(name, serverName, StringComparison.OrdinalIgnoreCase))
            {
                return int.MaxValue;
            }

            if (name.StartsWith("*.", StringComparison.Ordinal) && serverName.EndsWith(name[1..], StringComparison.OrdinalIgnoreCase) && name.Length > best)
            {
                best = name.Length;
            }
        }

        return best;
    }
}
