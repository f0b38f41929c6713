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
    /// <summary>Up to this many chains are narrowed in stack memory; listeners with more take one array per selection.</summary>
    private const int StackChains = 128;

    /// <summary>The score of a chain that leaves the criterion open (real scores are -1 or more).</summary>
    private const int Open = int.MinValue;

    private enum Criterion
    {
        DestinationPort,
        DestinationRange,
        ServerName,
        TransportProtocol,
        ApplicationProtocol,
        DirectSourceRange,
        SourceType,
        SourceRange,
        SourcePort,
    }

    /// <summary>
    /// Narrows the chains criterion by criterion: those that name the value with the highest score (≥ 0) stay, or, when
    /// none does, those that leave the criterion open. Runs for every connection (and request on the origin-form path), so it marks survivors in place rather than
    /// building lists.
    /// </summary>
    public static FilterChainModel? Select(IReadOnlyList<FilterChainModel> chains, ConnectionFacts facts)
    {
        var count = chains.Count;
        if (count == 0)
        {
            return null;
        }

        Span<int> scores = count <= StackChains ? stackalloc int[StackChains] : new int[count];
        Span<bool> alive = count <= StackChains ? stackalloc bool[StackChains] : new bool[count];
        scores = scores[..count];
        alive = alive[..count];
        alive.Fill(true);
        var local = IPAddress.IsLoopback(facts.SourceAddress) || Equals(facts.SourceAddress, facts.DestinationAddress);
        for (var criterion = Criterion.DestinationPort; criterion <= Criterion.SourcePort; criterion++)
        {
            var best = -1;
            for (var i = 0; i < count; i++)
            {
                if (alive[i])
                {
                    scores[i] = Score(chains[i].Match, criterion, facts, local);
                    best = Math.Max(best, scores[i]);
                }
            }

            for (var i = 0; i < count; i++)
            {
                alive[i] = alive[i] && (best >= 0 ? scores[i] == best : scores[i] == Open);
            }
        }

        var first = alive.IndexOf(true);
        return first >= 0 ? chains[first] : null;
    }

    /// <summary>How specifically a chain names the connection's value for one criterion: <see cref="Open"/> when it names none, -1 when it names others.</summary>
    private static int Score(ChainMatch match, Criterion criterion, ConnectionFacts facts, bool local) => criterion switch
    {
        Criterion.DestinationPort => match.DestinationPort is not { } port ? Open : port == facts.DestinationPort ? 1 : -1,
        Criterion.DestinationRange => match.DestinationRanges.Count == 0 ? Open : Longest(match.DestinationRanges, facts.DestinationAddress),
        Criterion.ServerName => match.ServerNames.Count == 0 ? Open : ServerName(match.ServerNames, facts.ServerName),
        Criterion.TransportProtocol => match.TransportProtocol.Length == 0 ? Open : match.TransportProtocol == facts.TransportProtocol ? 1 : -1,
        Criterion.ApplicationProtocol => match.ApplicationProtocols.Count == 0 ? Open : FirstOffered(match.ApplicationProtocols, facts.ApplicationProtocols),
        Criterion.DirectSourceRange => match.DirectSourceRanges.Count == 0 ? Open : Longest(match.DirectSourceRanges, facts.SourceAddress),
        Criterion.SourceType => match.SourceType == FilterChainMatch.Types.ConnectionSourceType.Any
            ? Open
            : match.SourceType == (local ? FilterChainMatch.Types.ConnectionSourceType.SameIpOrLoopback : FilterChainMatch.Types.ConnectionSourceType.External) ? 1 : -1,
        Criterion.SourceRange => match.SourceRanges.Count == 0 ? Open : Longest(match.SourceRanges, facts.SourceAddress),
        _ => match.SourcePorts.Count == 0 ? Open : match.SourcePorts.Contains((uint)facts.SourcePort) ? 1 : -1,
    };

    /// <summary>
    /// How early the client offers a protocol the chain names: Envoy takes the client's ALPN values in the client's order
    /// and picks the chains that name the first one any chain names, so an earlier value scores higher; -1 for none.
    /// </summary>
    private static int FirstOffered(IReadOnlyList<string> wanted, IReadOnlyList<string> offered)
    {
        for (var i = 0; i < offered.Count; i++)
        {
            if (wanted.Contains(offered[i]))
            {
                return offered.Count - i;
            }
        }

        return -1;
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
