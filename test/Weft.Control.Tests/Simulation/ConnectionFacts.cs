using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// What Envoy knows about a connection when it picks a filter chain. The transport protocol, server name and ALPN are only
/// known when the listener runs the inspector that detects them: without <c>tls_inspector</c> every connection is
/// <c>raw_buffer</c> with no SNI; without <c>http_inspector</c> plaintext HTTP has no ALPN.
/// </summary>
internal sealed record ConnectionFacts(string DestinationIp, int DestinationPort, string TransportProtocol, string ServerName, IReadOnlyList<string> ApplicationProtocols)
{
    public const string TlsInspector = "envoy.filters.listener.tls_inspector";
    public const string HttpInspector = "envoy.filters.listener.http_inspector";

    public static ConnectionFacts Of(Listener listener, Call call)
    {
        var tls = call.Protocol == CallProtocol.Tls && Has(listener, TlsInspector, "TlsInspector");
        var http = call.Protocol == CallProtocol.Http && Has(listener, HttpInspector, "HttpInspector");
        IReadOnlyList<string> alpn = tls ? call.Alpn : http ? [call.Http2 ? "h2c" : "http/1.1"] : [];
        return new ConnectionFacts(call.Address, call.Port, tls ? "tls" : "raw_buffer", tls ? call.Sni : string.Empty, alpn);
    }

    private static bool Has(Listener listener, string name, string typeName) => listener.ListenerFilters.Any(f =>
        f.Name == name || (f.TypedConfig?.TypeUrl.EndsWith("." + typeName, StringComparison.Ordinal) ?? false));
}
