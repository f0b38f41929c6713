using System.Net;

namespace Weft.Proxy.Snapshot.Listeners;

/// <summary>What the proxy knows about a connection when it picks a filter chain.</summary>
/// <param name="DestinationAddress">The original destination's IP, when known (null in local mode for a host name).</param>
internal sealed record ConnectionFacts(
    IPAddress? DestinationAddress,
    int DestinationPort,
    IPAddress SourceAddress,
    int SourcePort,
    string TransportProtocol,
    string ApplicationProtocol,
    string? ServerName = null);
