namespace Weft.Control.Tests.Simulation;

/// <summary>What kind of bytes a simulated call sends.</summary>
internal enum CallProtocol
{
    /// <summary>Plaintext HTTP (HTTP/1.1, or h2c with <see cref="Call.Http2"/>).</summary>
    Http,

    /// <summary>Opaque TCP: no HTTP, no TLS.</summary>
    Tcp,

    /// <summary>TLS originated by the application, with <see cref="Call.Sni"/> and <see cref="Call.Alpn"/>.</summary>
    Tls,
}

/// <summary>
/// A described call as an application makes it: the address and port it dialed, then (for HTTP) the request it sent.
/// </summary>
internal sealed record Call
{
    /// <summary>
    /// An address no listener names: what a dialed name resolves to when the test does not care (Istio's DNS proxy
    /// auto-allocates from 240.240.0.0/16).
    /// </summary>
    public const string AnyAddress = "240.240.0.1";

    /// <summary>The destination IP the application dialed.</summary>
    public string Address { get; init; } = AnyAddress;

    /// <summary>The destination port the application dialed.</summary>
    public int Port { get; init; } = 80;

    /// <summary>The authority (Host header); empty means <c>ADDRESS:PORT</c>. For a proxyless client, its dial target.</summary>
    public string Host { get; init; } = string.Empty;

    /// <summary>The <c>:path</c>, with any query string.</summary>
    public string Path { get; init; } = "/";

    public string Method { get; init; } = "GET";

    public string Scheme { get; init; } = "http";

    /// <summary>Request headers (names are case-insensitive).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public CallProtocol Protocol { get; init; } = CallProtocol.Http;

    /// <summary>HTTP/2 with prior knowledge (h2c) rather than HTTP/1.1.</summary>
    public bool Http2 { get; init; }

    /// <summary>The TLS server name of a <see cref="CallProtocol.Tls"/> call.</summary>
    public string Sni { get; init; } = string.Empty;

    /// <summary>The ALPN values a TLS client offers.</summary>
    public IReadOnlyList<string> Alpn { get; init; } = [];

    /// <summary>The authority actually sent: <see cref="Host"/>, else <c>ADDRESS:PORT</c>.</summary>
    public string Authority => Host.Length > 0 ? Host : $"{Address}:{Port}";

    /// <summary>An HTTP request to <c>HOST[:PORT]</c>; the port dialed is the one in the host (80 without one).</summary>
    public static Call Http(string host, string path = "/", params (string Name, string Value)[] headers) => new()
    {
        Host = host,
        Port = PortOf(host) ?? 80,
        Path = path,
        Headers = headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase),
    };

    /// <summary>A gRPC call from a proxyless client dialing <c>xds:///TARGET</c> (<c>HOST:PORT</c>).</summary>
    public static Call Grpc(string target, string method = "/catalog.Catalog/Get", params (string Name, string Value)[] headers) =>
        Http(target, method, [.. headers, ("content-type", "application/grpc")]) with { Method = "POST", Http2 = true };

    /// <summary>An opaque TCP connection to <c>ADDRESS:PORT</c>.</summary>
    public static Call Tcp(string address, int port) => new() { Address = address, Port = port, Protocol = CallProtocol.Tcp };

    /// <summary>A TLS connection with a server name, to <paramref name="port"/> at some address.</summary>
    public static Call Tls(string sni, int port, string address = AnyAddress) =>
        new() { Address = address, Port = port, Protocol = CallProtocol.Tls, Sni = sni };

    /// <summary>Looks up a request header, case-insensitively.</summary>
    public string? Header(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private static int? PortOf(string host)
    {
        var colon = host.LastIndexOf(':');
        return colon > 0 && !host.EndsWith(']') && int.TryParse(host.AsSpan(colon + 1), out var port) ? port : null;
    }
}
