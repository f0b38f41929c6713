using System.Net;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Proxy.Snapshot.Listeners;

/// <summary>A compiled <c>FilterChainMatch</c>: every criterion empty means "any".</summary>
internal sealed record ChainMatch(
    int? DestinationPort,
    IReadOnlyList<CidrRange> DestinationRanges,
    IReadOnlyList<string> ServerNames,
    string TransportProtocol,
    IReadOnlyList<string> ApplicationProtocols,
    IReadOnlyList<CidrRange> DirectSourceRanges,
    FilterChainMatch.Types.ConnectionSourceType SourceType,
    IReadOnlyList<CidrRange> SourceRanges,
    IReadOnlyList<uint> SourcePorts)
{
    public static readonly ChainMatch Any = new(null, [], [], string.Empty, [], [], FilterChainMatch.Types.ConnectionSourceType.Any, [], []);

    public static ChainMatch Compile(FilterChainMatch? match)
    {
        if (match is null)
        {
            return Any;
        }

        return new ChainMatch(
            match.DestinationPort is { } port ? (int)port : null,
            match.PrefixRanges.Select(CidrRange.Compile).ToArray(),
            match.ServerNames.Select(n => n.ToLowerInvariant()).ToArray(),
            match.TransportProtocol,
            match.ApplicationProtocols.ToArray(),
            match.DirectSourcePrefixRanges.Select(CidrRange.Compile).ToArray(),
            match.SourceType,
            match.SourcePrefixRanges.Select(CidrRange.Compile).ToArray(),
            match.SourcePorts.ToArray());
    }

    /// <summary>A stable text of the criteria, so two chains with the same match can be told apart (Envoy refuses them).</summary>
    public string Key => string.Join('|',
        DestinationPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "*",
        string.Join(',', DestinationRanges.Select(r => $"{r.Prefix}/{r.Length}").Order(StringComparer.Ordinal)),
        string.Join(',', ServerNames.Order(StringComparer.Ordinal)),
        TransportProtocol,
        string.Join(',', ApplicationProtocols.Order(StringComparer.Ordinal)),
        string.Join(',', DirectSourceRanges.Select(r => $"{r.Prefix}/{r.Length}").Order(StringComparer.Ordinal)),
        SourceType,
        string.Join(',', SourceRanges.Select(r => $"{r.Prefix}/{r.Length}").Order(StringComparer.Ordinal)),
        string.Join(',', SourcePorts.Order()));
}
