namespace Weft.Api.Validation.KubernetesKinds;

/// <summary>The protocol names Istio recognises on ports (case-insensitive), and the port-name convention.</summary>
internal static class PortProtocols
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["grpc"] = "GRPC",
        ["grpc-web"] = "GRPC-Web",
        ["http"] = "HTTP",
        ["http_proxy"] = "HTTP_PROXY",
        ["http2"] = "HTTP2",
        ["https"] = "HTTPS",
        ["tcp"] = "TCP",
        ["tls"] = "TLS",
        ["udp"] = "UDP",
        ["mongo"] = "Mongo",
        ["redis"] = "Redis",
        ["mysql"] = "MySQL",
        ["kubernetes.io/h2c"] = "HTTP2",
        ["kubernetes.io/ws"] = "HTTP",
        ["kubernetes.io/wss"] = "HTTPS",
    };

    /// <summary>The protocol a name stands for, or null when Istio does not know it.</summary>
    public static string? Parse(string name) => Known.GetValueOrDefault(name);

    /// <summary>The protocol named by a port name's prefix: "http" and "http-web" are HTTP.</summary>
    public static string? FromPortName(string portName)
    {
        if (Parse(portName) is { } whole)
        {
            return whole;
        }

        var dash = portName.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 ? Parse(portName[..dash]) : null;
    }
}
