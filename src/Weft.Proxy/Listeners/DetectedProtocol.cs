using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Listeners;

/// <summary>
/// What a connection's first bytes told the listener filters: its transport protocol (<c>tls</c> or
/// <c>raw_buffer</c>), the application protocols (the ClientHello's ALPN list, or <c>http/1.0</c>, <c>http/1.1</c>,
/// <c>h2c</c> for plaintext HTTP), the SNI, and whether an HTTP/1 request is a CONNECT.
/// </summary>
internal sealed record DetectedProtocol(string TransportProtocol, IReadOnlyList<string> ApplicationProtocols, string? ServerName = null, bool IsConnect = false)
{
    public const string RawBuffer = "raw_buffer";
    public const string Tls = "tls";

    /// <summary>Nothing learnt: what Envoy assumes when no inspector ran or none recognised the bytes.</summary>
    public static readonly DetectedProtocol Raw = new(RawBuffer, []);

    public static readonly DetectedProtocol Http10 = new(RawBuffer, ["http/1.0"]);

    public static readonly DetectedProtocol Http11 = new(RawBuffer, ["http/1.1"]);

    public static readonly DetectedProtocol H2c = new(RawBuffer, ["h2c"]);

    public static readonly DetectedProtocol Http11Connect = new(RawBuffer, ["http/1.1"], IsConnect: true);

    public static readonly DetectedProtocol Http10Connect = new(RawBuffer, ["http/1.0"], IsConnect: true);

    /// <summary>Plaintext HTTP as the HTTP inspector saw it.</summary>
    public bool IsHttp => TransportProtocol == RawBuffer && ApplicationProtocols is ["http/1.0" or "http/1.1" or "h2c"];

    public bool IsH2c => TransportProtocol == RawBuffer && ApplicationProtocols is ["h2c"];
}
