namespace Weft.Api.Validation.Rules;

/// <summary>Istio's port protocol names (<c>protocol.Parse</c>, case-insensitive) and their classes.</summary>
internal enum IstioProtocol
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

internal static class IstioProtocols
{
    public static IstioProtocol Parse(string? name) => (name ?? string.Empty).ToLowerInvariant() switch
    {
        "tcp" => IstioProtocol.Tcp,
        "udp" => IstioProtocol.Udp,
        "grpc" => IstioProtocol.Grpc,
        "grpc-web" => IstioProtocol.GrpcWeb,
        "http" => IstioProtocol.Http,
        "http_proxy" => IstioProtocol.HttpProxy,
        "http2" => IstioProtocol.Http2,
        "https" => IstioProtocol.Https,
        "tls" => IstioProtocol.Tls,
        "mongo" => IstioProtocol.Mongo,
        "redis" => IstioProtocol.Redis,
        "mysql" => IstioProtocol.MySql,
        _ => IstioProtocol.Unsupported,
    };

    /// <summary>Protocols carried over HTTP.</summary>
    public static bool IsHttp(this IstioProtocol protocol) =>
        protocol is IstioProtocol.Http or IstioProtocol.Http2 or IstioProtocol.HttpProxy or IstioProtocol.Grpc or IstioProtocol.GrpcWeb;

    /// <summary>Protocols on top of TLS (HTTPS, TLS).</summary>
    public static bool IsTls(this IstioProtocol protocol) => protocol is IstioProtocol.Https or IstioProtocol.Tls;
}
