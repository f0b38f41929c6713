using System.Globalization;
using System.Net;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// One filter chain while a listener is being assembled (Istio's filterChainOpts): what it matches (SNI, destination
/// CIDRs, ALPN, transport) and what it runs, either an HTTP connection manager or network filters. Kept apart from
/// the Envoy message so chains of several services can be compared and merged before the listener is written.
/// </summary>
internal sealed record ChainOptions
{
    public const string RawBuffer = "raw_buffer";
    public const string Tls = "tls";

    /// <summary>The ALPN values http_inspector reports for plaintext HTTP/1.1 and h2c (HTTP/1.0 is not matched, so it falls to TCP).</summary>
    public static readonly IReadOnlyList<string> PlaintextHttpAlpn = ["http/1.1", "h2c"];

    public IReadOnlyList<string> SniHosts { get; init; } = [];

    public IReadOnlyList<string> DestinationCidrs { get; init; } = [];

    public IReadOnlyList<string> ApplicationProtocols { get; init; } = [];

    public string TransportProtocol { get; init; } = string.Empty;

    /// <summary>Chain metadata (<c>istio.config</c> naming the resource the chain came from).</summary>
    public Metadata? Metadata { get; init; }

    /// <summary>TLS the chain terminates; null for none.</summary>
    public DownstreamTlsContext? TlsContext { get; init; }

    /// <summary>The connection manager of an HTTP chain; null for a chain of <see cref="NetworkFilters"/>.</summary>
    public HttpConnectionManager? Http { get; init; }

    /// <summary>The chain's network filters; for an HTTP chain, those that run before the connection manager.</summary>
    public IReadOnlyList<Filter> NetworkFilters { get; init; } = [];

    /// <summary>The chain name, when Istio gives it one.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Whether nothing narrows the chain, so it takes every connection (a wildcard SNI narrows nothing).</summary>
    public bool IsMatchAll => (SniHosts.Count == 0 || SniHosts.Contains("*"))
        && ApplicationProtocols.Count == 0
        && TransportProtocol.Length == 0
        && DestinationCidrs.Count == 0;

    /// <summary>
    /// Whether the two chains would match the same connections, which Envoy rejects: same transport and ALPN, same SNI
    /// set (ignoring <c>*</c>) and same destination networks (ignoring order and the host bits of each prefix).
    /// </summary>
    public bool ConflictsWith(ChainOptions other) =>
        TransportProtocol == other.TransportProtocol
        && ApplicationProtocols.SequenceEqual(other.ApplicationProtocols)
        && SniSet(SniHosts).SetEquals(SniSet(other.SniHosts))
        && CidrSet(DestinationCidrs).SetEquals(CidrSet(other.DestinationCidrs));

    /// <summary>The Envoy match of the chain; null for a match-all chain. SNI and CIDRs are sorted, as Istio writes them.</summary>
    public FilterChainMatch? ToMatch()
    {
        if (IsMatchAll)
        {
            return null;
        }

        var match = new FilterChainMatch { TransportProtocol = TransportProtocol };
        match.ApplicationProtocols.AddRange(ApplicationProtocols);
        if (SniHosts.Count > 0 && !SniHosts.Contains("*"))
        {
            match.ServerNames.AddRange(SniHosts.Order(StringComparer.Ordinal));
        }

        foreach (var cidr in DestinationCidrs.Order(StringComparer.Ordinal))
        {
            if (ToCidrRange(cidr) is { } range && range.AddressPrefix != ResourceNames.WildcardAddress)
            {
                match.PrefixRanges.Add(range);
            }
        }

        return match;
    }

    /// <summary>An address or prefix (<c>10.0.0.0/8</c>, <c>10.1.2.3</c>) as an Envoy CIDR range; null if it is neither.</summary>
    public static CidrRange? ToCidrRange(string address)
    {
        var slash = address.IndexOf('/', StringComparison.Ordinal);
        var ipText = slash < 0 ? address : address[..slash];
        if (!IPAddress.TryParse(ipText, out var ip))
        {
            return null;
        }

        var familyBits = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        var bits = familyBits;
        if (slash >= 0 && (!int.TryParse(address.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out bits) || bits > familyBits))
        {
            return null;
        }

        return new CidrRange { AddressPrefix = ipText, PrefixLen = (uint)bits };
    }

    private static HashSet<string> SniSet(IReadOnlyList<string> hosts) => hosts.Where(h => h != "*").ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> CidrSet(IReadOnlyList<string> cidrs)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cidr in cidrs)
        {
            if (ToCidrRange(cidr) is not { } range || range.AddressPrefix == ResourceNames.WildcardAddress)
            {
                continue;
            }

            set.Add(Masked(range));
        }

        return set;
    }

    private static string Masked(CidrRange range)
    {
        var bytes = IPAddress.Parse(range.AddressPrefix).GetAddressBytes();
        var keep = (int)(range.PrefixLen ?? 0);
        for (var i = 0; i < bytes.Length; i++)
        {
            var bitsHere = Math.Clamp(keep - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bitsHere));
        }

        return $"{new IPAddress(bytes)}/{keep}";
    }
}
