using System.Net;

namespace Weft.Proxy.Snapshot.Listeners;

/// <summary>What the proxy knows about a connection when it picks a filter chain.</summary>
/// <param name="DestinationAddress">The original destination's IP, when known (null in local mode for a host name).</param>
/// <param name="TransportProtocol"><c>tls</c> when the client opened with a TLS ClientHello, else <c>raw_buffer</c>.</param>
/// <param name="ApplicationProtocols">The ALPN values the ClientHello offers, or the one the HTTP inspector saw
/// (<c>http/1.0</c>, <c>http/1.1</c>, <c>h2c</c>); empty when nothing was learnt.</param>
/// <param name="ServerName">The SNI of the ClientHello.</param>
internal sealed record ConnectionFacts(
    IPAddress? DestinationAddress,
    int DestinationPort,
    IPAddress SourceAddress,
    int SourcePort,
    string TransportProtocol,
    IReadOnlyList<string> ApplicationProtocols,
    string? ServerName = null);
