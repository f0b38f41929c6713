using Google.Protobuf.WellKnownTypes;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Listener.HttpInspector.V3;
using Weft.Xds.Envoy.Extensions.Filters.Listener.OriginalDst.V3;
using Weft.Xds.Envoy.Extensions.Filters.Listener.OriginalSrc.V3;
using Weft.Xds.Envoy.Extensions.Filters.Listener.TlsInspector.V3;
using Weft.Xds.Envoy.Type.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// The listener filters Istio uses, by their Envoy names: original_dst (virtual listeners that receive redirected
/// connections), original_src (the inbound capture listener under TPROXY interception), tls_inspector (chains match SNI or ALPN) and http_inspector (chains match plaintext HTTP ALPN).
/// </summary>
internal static class ListenerFilters
{
    public const string OriginalDstName = "envoy.filters.listener.original_dst";
    public const string TlsInspectorName = "envoy.filters.listener.tls_inspector";
    public const string HttpInspectorName = "envoy.filters.listener.http_inspector";
    public const string OriginalSrcName = "envoy.filters.listener.original_src";

    /// <summary>The mark Istio's TPROXY rules route back to the proxy (they also mark the connections they divert with it).</summary>
    public const uint OriginalSrcMark = 1337;

    /// <summary>Istio reads at most 512 bytes of a ClientHello before deciding (Envoy's default is 64 KiB).</summary>
    public const uint TlsInspectorReadBufferBytes = 512;

    public static ListenerFilter OriginalDestination() => new() { Name = OriginalDstName, TypedConfig = Any.Pack(new OriginalDst()) };

    /// <summary>Upstream connections from the client's own address, marked so the replies come back through the proxy.</summary>
    public static ListenerFilter OriginalSource() => new() { Name = OriginalSrcName, TypedConfig = Any.Pack(new OriginalSrc { Mark = OriginalSrcMark }) };

    public static ListenerFilter TlsInspector(ListenerFilterChainMatchPredicate? disabled = null) => new()
    {
        Name = TlsInspectorName,
        TypedConfig = Any.Pack(new TlsInspector { InitialReadBufferSize = TlsInspectorReadBufferBytes }),
        FilterDisabled = disabled,
    };

    public static ListenerFilter HttpInspector(ListenerFilterChainMatchPredicate? disabled = null) => new()
    {
        Name = HttpInspectorName,
        TypedConfig = Any.Pack(new HttpInspector()),
        FilterDisabled = disabled,
    };

    /// <summary>A predicate true for connections to any of <paramref name="ports"/> (a filter with it is off on those ports).</summary>
    public static ListenerFilterChainMatchPredicate OnPorts(IReadOnlyList<int> ports)
    {
        var ranges = ports.Select(p => new ListenerFilterChainMatchPredicate
        {
            DestinationPortRange = new Int32Range { Start = p, End = p + 1 },
        }).ToList();
        if (ranges.Count == 1)
        {
            return ranges[0];
        }

        var set = new ListenerFilterChainMatchPredicate.Types.MatchSet();
        set.Rules.AddRange(ranges);
        return new ListenerFilterChainMatchPredicate { OrMatch = set };
    }

    /// <summary>A predicate true for connections to any port except <paramref name="ports"/>.</summary>
    public static ListenerFilterChainMatchPredicate OffPorts(IReadOnlyList<int> ports) => new() { NotMatch = OnPorts(ports) };
}
