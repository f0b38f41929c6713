namespace Weft.Control.Registry;

/// <summary>A port's application protocol, as Istio names them; <see cref="Unsupported"/> means "detect it".</summary>
public enum Protocol
{
    Unsupported,
    Http,
    Http2,
    Grpc,
    GrpcWeb,
    Https,
    Tls,
    Tcp,
    Udp,
    Mongo,
    Redis,
    Mysql,
}

public static class Protocols
{
    /// <summary>
    /// Istio's protocol of a port: the declared protocol (case-insensitive), else the prefix of the port name before the first
    /// <c>-</c> (<c>http-web</c> → HTTP), else <see cref="Protocol.Unsupported"/> (sniffed).
    /// </summary>
    public static Protocol Parse(string? declared, string? portName = null)
    {
        if (!string.IsNullOrEmpty(declared))
        {
            return FromName(declared);
        }

        if (string.IsNullOrEmpty(portName))
        {
            return Protocol.Unsupported;
        }

        var dash = portName.IndexOf('-', StringComparison.Ordinal);
        return FromName(dash < 0 ? portName : portName[..dash]);
    }

    private static Protocol FromName(string name) => name.ToUpperInvariant() switch
    {
        "HTTP" => Protocol.Http,
        "HTTP2" => Protocol.Http2,
        "GRPC" => Protocol.Grpc,
        "GRPC-WEB" => Protocol.GrpcWeb,
        "HTTPS" => Protocol.Https,
        "TLS" => Protocol.Tls,
        "TCP" => Protocol.Tcp,
        "UDP" => Protocol.Udp,
        "MONGO" => Protocol.Mongo,
        "REDIS" => Protocol.Redis,
        "MYSQL" => Protocol.Mysql,
        _ => Protocol.Unsupported,
    };

    public static bool IsHttp(this Protocol p) => p is Protocol.Http or Protocol.Http2 or Protocol.Grpc or Protocol.GrpcWeb;

    /// <summary>HTTP/2 on the wire to the upstream regardless of the mesh's upgrade policy.</summary>
    public static bool IsHttp2(this Protocol p) => p is Protocol.Http2 or Protocol.Grpc;

    public static bool IsTcp(this Protocol p) => p is Protocol.Tcp or Protocol.Https or Protocol.Tls or Protocol.Mongo or Protocol.Redis or Protocol.Mysql;

    public static string Name(this Protocol p) => p switch
    {
        Protocol.Unsupported => "UnsupportedProtocol",
        Protocol.GrpcWeb => "GRPC-Web",
        _ => p.ToString().ToUpperInvariant(),
    };
}
