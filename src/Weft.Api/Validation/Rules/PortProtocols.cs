namespace Weft.Api.Validation.Rules;

/// <summary>A port protocol as Istio's <c>protocol.Parse</c> reads it (case-insensitively).</summary>
internal enum PortProtocol
{
    Unsupported,
    Tcp,
    Udp,
    Grpc,
    GrpcWeb,
    Http,
    HttpProxy,
    Http2,
    Https,
    Tls,
    Mongo,
    Redis,
    MySql,
}

/// <summary>Istio's port protocol names and their classes (<c>pkg/config/protocol</c>).</summary>
internal static class PortProtocols
{
    public static PortProtocol Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return PortProtocol.Unsupported;
        }

        return text.ToLowerInvariant() switch
        {
            "tcp" => PortProtocol.Tcp,
            "udp" => PortProtocol.Udp,
            "grpc" => PortProtocol.Grpc,
            "grpc-web" => PortProtocol.GrpcWeb,
            "http" => PortProtocol.Http,
            "http_proxy" => PortProtocol.HttpProxy,
            "http2" => PortProtocol.Http2,
            "https" => PortProtocol.Https,
            "tls" => PortProtocol.Tls,
            "mongo" => PortProtocol.Mongo,
            "redis" => PortProtocol.Redis,
            "mysql" => PortProtocol.MySql,
            _ => PortProtocol.Unsupported,
        };
    }

    /// <summary>The name Istio prints for a protocol (e.g. in messages).</summary>
    public static string Name(PortProtocol protocol) => protocol switch
    {
        PortProtocol.Tcp => "TCP",
        PortProtocol.Udp => "UDP",
        PortProtocol.Grpc => "GRPC",
        PortProtocol.GrpcWeb => "GRPC-Web",
        PortProtocol.Http => "HTTP",
        PortProtocol.HttpProxy => "HTTP_PROXY",
        PortProtocol.Http2 => "HTTP2",
        PortProtocol.Https => "HTTPS",
        PortProtocol.Tls => "TLS",
        PortProtocol.Mongo => "Mongo",
        PortProtocol.Redis => "Redis",
        PortProtocol.MySql => "MySQL",
        _ => "UnsupportedProtocol",
    };

    public static bool IsHttp(this PortProtocol p) => p is PortProtocol.Http or PortProtocol.Http2 or PortProtocol.HttpProxy or PortProtocol.Grpc or PortProtocol.GrpcWeb;

    public static bool IsTcp(this PortProtocol p) => p is PortProtocol.Tcp or PortProtocol.Https or PortProtocol.Tls or PortProtocol.Mongo or PortProtocol.Redis or PortProtocol.MySql;

    public static bool IsTls(this PortProtocol p) => p is PortProtocol.Https or PortProtocol.Tls;

    /// <summary>Istio's <c>ValidateProtocol</c>: empty is allowed (protocol sniffing), an unknown name is not.</summary>
    public static string? Validate(string? text) =>
        !string.IsNullOrEmpty(text) && Parse(text) == PortProtocol.Unsupported ? $"unsupported protocol: {text}" : null;
}
