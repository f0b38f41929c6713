namespace Weft.Proxy.Http;

/// <summary>What the proxy decided for a request, kept on the request for logs and (later) telemetry.</summary>
internal sealed class ProxyRequestInfo
{
    public string Listener { get; set; } = string.Empty;

    public string FilterChain { get; set; } = string.Empty;

    public string VirtualHost { get; set; } = string.Empty;

    public string Route { get; set; } = string.Empty;

    public string Cluster { get; set; } = string.Empty;

    public string UpstreamHost { get; set; } = string.Empty;

    /// <summary>Envoy's response flag for the outcome; empty when the request was served normally.</summary>
    public string Flags { get; set; } = string.Empty;
}
